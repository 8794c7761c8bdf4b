// Moved: BSON values are being split into bson-*.ts by concern.
export * from './bson-numbers';

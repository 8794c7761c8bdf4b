import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

@Schema({ timestamps: true, collection: 'users' })
export class User {
  /** Stored lower-cased so uniqueness and lookups are case-insensitive. */
  @Prop({ required: true, unique: true, lowercase: true, trim: true })
  email!: string;

  /** scrypt hash in the PasswordHasher's format; never leaves the users/auth modules. */
  @Prop({ required: true })
  passwordHash!: string;

  @Prop({ required: true, trim: true })
  displayName!: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export type UserDocument = HydratedDocument<User>;

export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ displayName: 1 });

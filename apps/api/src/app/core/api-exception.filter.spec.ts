import {
  BadRequestException,
  ConflictException,
  HttpException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  ValidationPipe,
} from '@nestjs/common';
import { ApiExceptionFilter } from './api-exception.filter';

describe('ApiExceptionFilter.toBody', () => {
  const filter = new ApiExceptionFilter();

  beforeAll(() =>
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
  );
  afterAll(() => jest.restoreAllMocks());

  it('keeps the message of an HTTP exception and names its status', () => {
    expect(
      filter.toBody(new ConflictException('Email is already registered')),
    ).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'Email is already registered',
    });
  });

  it('keeps one message per invalid field from the validation pipe', async () => {
    class Body {
      name!: string;
    }
    const pipe = new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    const error = await pipe
      .transform({ name: 'x', extra: 1 }, { type: 'body', metatype: Body })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BadRequestException);
    expect(filter.toBody(error)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'property name should not exist',
        'property extra should not exist',
      ],
    });
  });

  it('logs a reported server-side failure while keeping its message for the client', () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    logged.mockClear();

    expect(
      filter.toBody(new ServiceUnavailableException('Database unavailable')),
    ).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Database unavailable',
    });
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('Database unavailable'),
    );
  });

  it('does not log client errors', () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    logged.mockClear();

    filter.toBody(new NotFoundException('Conversation not found'));

    expect(logged).not.toHaveBeenCalled();
  });

  it('uses a plain string response as the message', () => {
    expect(filter.toBody(new HttpException('Slow down', 429))).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Slow down',
    });
  });

  it('answers unknown routes in the same shape', () => {
    expect(
      filter.toBody(new NotFoundException('Cannot GET /api/nope')),
    ).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/nope',
    });
  });

  it('maps client errors raised by express middleware (http-errors) to their status', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
      type: 'entity.too.large',
    });
    expect(filter.toBody(tooLarge)).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is too large',
    });
  });

  it('hides the details of unexpected errors behind a generic 500', () => {
    const body = filter.toBody(
      new Error('connection string mongodb://admin:pw@db leaked'),
    );
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side',
    });
  });

  it('does not trust server errors that claim to be exposable', () => {
    const upstream = Object.assign(new Error('upstream detail'), {
      status: 502,
      expose: true,
    });
    expect(filter.toBody(upstream).statusCode).toBe(500);
  });
});

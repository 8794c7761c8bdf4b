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

  it('maps client errors Fastify raises before any route runs to their status, in its own words', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(filter.toBody(tooLarge)).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is too large',
    });
    const badLength = Object.assign(
      new Error(
        'FST_ERR_CTP_INVALID_CONTENT_LENGTH: Request body size did not match Content-Length',
      ),
      { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 },
    );
    expect(filter.toBody(badLength)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Request body length does not match its Content-Length',
    });
  });

  it('does not take a 4xx from an error that is not the platform’s', () => {
    const claimed = Object.assign(new Error('internal detail'), {
      code: 'E_SOMETHING',
      statusCode: 404,
    });
    expect(filter.toBody(claimed).statusCode).toBe(500);
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

  it('does not trust server errors from the platform either', () => {
    const upstream = Object.assign(new Error('upstream detail'), {
      code: 'FST_ERR_SOMETHING',
      statusCode: 502,
    });
    expect(filter.toBody(upstream).statusCode).toBe(500);
  });
});

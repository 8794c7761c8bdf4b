import {
  type EmbeddedMongo,
  startEmbeddedMongo,
} from '@instantchat/mongo-embedded';
import { ConflictException } from '@nestjs/common';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { withDatabaseName } from '../database/database-server';
import { User, UserSchema } from './schemas/user.schema';
import { UsersService } from './users.service';

describe('UsersService', () => {
  let mongo: EmbeddedMongo;
  let module: TestingModule;
  let users: UsersService;

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ port: 0 });
    module = await Test.createTestingModule({
      imports: [
        MongooseModule.forRoot(withDatabaseName(mongo.uri, 'users_service')),
        MongooseModule.forFeature([{ name: User.name, schema: UserSchema }]),
      ],
      providers: [UsersService],
    }).compile();
    await module.init();
    users = module.get(UsersService);
  });

  afterAll(async () => {
    await module?.get<Connection>(getConnectionToken()).close();
    await module?.close();
    await mongo?.stop();
  });

  const newUser = (email: string, displayName = 'Someone') => ({
    email,
    displayName,
    passwordHash: 'scrypt$1$1$1$c2FsdA==$aGFzaA==',
  });

  it('stores emails lower-cased and finds them in any case', async () => {
    const created = await users.create(newUser('Linus@Example.COM', 'Linus'));
    expect(created.email).toBe('linus@example.com');
    const found = await users.findByEmail('  LINUS@example.com ');
    expect(found?.id).toBe(created.id);
    expect(found?.passwordHash).toBeDefined();
  });

  it('refuses a second account for the same email in another case', async () => {
    await users.create(newUser('dup@example.com'));
    await expect(users.create(newUser('DUP@example.com'))).rejects.toThrow(
      new ConflictException('Email is already registered'),
    );
  });

  it('lets exactly one of several simultaneous registrations of an email win', async () => {
    const attempts = await Promise.allSettled(
      ['race@example.com', 'RACE@example.com', 'Race@Example.com'].map(
        (email) => users.create(newUser(email)),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === 'rejected')) {
      expect((attempt as PromiseRejectedResult).reason).toEqual(
        new ConflictException('Email is already registered'),
      );
    }
  });

  it('answers malformed and unknown ids with nothing rather than an error', async () => {
    await expect(users.findProfile('not-an-id')).resolves.toBeNull();
    await expect(
      users.findProfile('64b0000000000000000000aa'),
    ).resolves.toBeNull();
    const known = await users.create(newUser('known@example.com'));
    const found = await users.findProfiles([
      known.id as string,
      'garbage',
      '64b0000000000000000000aa',
      known.id as string,
    ]);
    expect(found.map((user) => user.id)).toEqual([known.id]);
    await expect(users.findProfiles([])).resolves.toEqual([]);
  });

  it('finds a profile by id in any letter case, without the password hash', async () => {
    const known = await users.create(newUser('profile@example.com', 'Pro'));
    const expected = {
      id: known.id as string,
      email: 'profile@example.com',
      displayName: 'Pro',
      createdAt: known.createdAt,
    };
    await expect(users.findProfile(known.id as string)).resolves.toEqual(
      expected,
    );
    await expect(
      users.findProfile((known.id as string).toUpperCase()),
    ).resolves.toEqual(expected);
    await expect(
      users.findProfiles([(known.id as string).toUpperCase()]),
    ).resolves.toEqual([expected]);
  });

  it('serves a profile read in the last few seconds without asking the database again', async () => {
    const known = await users.create(newUser('cached@example.com', 'Before'));
    await users.findProfile(known.id as string);
    // Written behind the service's back, as another API instance would.
    await module
      .get<Connection>(getConnectionToken())
      .collection('users')
      .updateOne({ _id: known._id }, { $set: { displayName: 'After' } });
    await expect(users.findProfile(known.id as string)).resolves.toMatchObject({
      displayName: 'Before',
    });
  });

  it('maps to the public DTO without the password hash', async () => {
    const user = await users.create(newUser('dto@example.com', 'Dto'));
    expect(users.toDto(user)).toEqual({
      id: user.id,
      email: 'dto@example.com',
      displayName: 'Dto',
      createdAt: user.createdAt.toISOString(),
    });
  });

  it('caps a search at 20 people even when asked for more', async () => {
    const caller = await users.create(newUser('caller@example.com', 'Caller'));
    for (let i = 0; i < 22; i += 1) {
      await users.create(newUser(`cap${i}@example.com`, `Cap ${i}`));
    }
    await expect(
      users.search(caller.id as string, 'cap', 500),
    ).resolves.toHaveLength(20);
    await expect(
      users.search(caller.id as string, 'cap', 3),
    ).resolves.toHaveLength(3);
  });
});

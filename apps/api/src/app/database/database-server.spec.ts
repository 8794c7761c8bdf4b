import { withDatabaseName } from './database-server';

describe('withDatabaseName', () => {
  it('adds the database to a URI without one', () => {
    expect(withDatabaseName('mongodb://127.0.0.1:27017', 'instantchat')).toBe(
      'mongodb://127.0.0.1:27017/instantchat',
    );
  });

  it('replaces an existing database and keeps the options', () => {
    expect(
      withDatabaseName('mongodb://user:pw@a:1,b:2/old?replicaSet=rs0', 'fresh'),
    ).toBe('mongodb://user:pw@a:1,b:2/fresh?replicaSet=rs0');
    expect(
      withDatabaseName(
        'mongodb+srv://cluster.example.net/?retryWrites=true',
        'x',
      ),
    ).toBe('mongodb+srv://cluster.example.net/x?retryWrites=true');
  });

  it('refuses what is not a MongoDB URI', () => {
    expect(() => withDatabaseName('postgres://db/x', 'y')).toThrow();
  });
});

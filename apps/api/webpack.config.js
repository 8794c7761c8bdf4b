const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');
const swaggerPluginOptions = require('./swagger-plugin-options');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/api'),
    clean: true,
    ...(process.env.NODE_ENV !== 'production' && {
      devtoolModuleFilenameTemplate: '[absolute-resource-path]',
    }),
  },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // The embedded database's thread (database-server.ts starts it from the built file).
      additionalEntryPoints: [
        {
          entryName: 'embedded-db-worker',
          entryPath: './src/embedded-db-worker.ts',
        },
      ],
      tsConfig: './tsconfig.app.json',
      assets: ['./src/assets'],
      optimization: false,
      outputHashing: 'none',
      generatePackageJson: true,
      sourceMap: true,
      // Workspace libraries (@instantchat/*) are bundled through the tsconfig path aliases;
      // npm packages stay external and resolve from the repository's node_modules at runtime.
      transformers: [
        { name: '@nestjs/swagger/plugin', options: swaggerPluginOptions },
      ],
    }),
  ],
};

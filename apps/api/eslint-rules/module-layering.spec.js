const { RuleTester } = require('eslint');
const { rule } = require('./module-layering');

const ruleTester = new RuleTester({
  languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
});
const src = '/repo/apps/api/src';

// RuleTester turns each case into a test of its own (describe/it come from jest).
ruleTester.run('module-layering', rule, {
  valid: [
    {
      filename: `${src}/app/chat/messages.service.ts`,
      code: "import '../realtime/realtime.service';",
    },
    {
      filename: `${src}/app/chat/schemas/message.schema.ts`,
      code: "import '../../database/object-ids';",
    },
    {
      filename: `${src}/app/chat/messages.service.ts`,
      code: "import './chat.records';",
    },
    {
      filename: `${src}/app/users/users.controller.ts`,
      code: "import '../core/current-user.decorator';",
    },
    {
      filename: `${src}/app/auth/auth.service.ts`,
      code: "import '../users/users.service';",
    },
    {
      filename: `${src}/app/instagram/instagram.module.ts`,
      code: "import '../chat/chat.module';",
    },
    {
      filename: `${src}/app/webhook/webhook.module.ts`,
      code: "import '../instagram/instagram.module';",
    },
    {
      filename: `${src}/app/health/health.controller.ts`,
      code: "import '../database/database-health.service';",
    },
    {
      filename: `${src}/app/health/health.controller.ts`,
      code: "import '../metrics/inbox-backlog';",
    },
    {
      filename: `${src}/app/webhook/inbox-backlog.reporter.ts`,
      code: "import '../metrics/inbox-backlog';",
    },
    {
      filename: `${src}/app/metrics/metrics-token.guard.ts`,
      code: "import '../config/app-config.service';",
    },
    {
      filename: `${src}/bootstrap/configure-app.ts`,
      code: "import '../app/realtime/realtime-io.adapter';",
    },
    { filename: `${src}/main.ts`, code: "import './bootstrap/create-app';" },
    {
      filename: `${src}/app/app.module.ts`,
      code: "import './chat/chat.module';",
    },
    {
      filename: `${src}/app/auth/auth.e2e.spec.ts`,
      code: "import '../testing/test-app';",
    },
    {
      filename: `${src}/app/database/database.e2e.spec.ts`,
      code: "import '../../bootstrap/create-app';",
    },
    {
      filename: `${src}/app/chat/testing/fixture.ts`,
      code: "import '../../testing/test-app';",
    },
    {
      filename: `${src}/app/core/public.decorator.ts`,
      code: "import '@nestjs/common';",
    },
  ],
  invalid: [
    {
      filename: `${src}/app/core/api-exception.filter.ts`,
      code: "import { ChatModule } from '../chat/chat.module';",
      errors: [
        {
          message:
            '`core/` may not import `chat/`: modules depend downward only (webhook → instagram → chat → realtime → auth → users → {meta, database, metrics, rate-limit} → {config, core}; health → {database, metrics, config, core}).',
        },
      ],
    },
    {
      filename: `${src}/app/users/users.controller.ts`,
      code: "import '../auth/auth.service';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/chat/schemas/conversation.schema.ts`,
      code: "export * from '../../instagram/instagram.types';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/realtime/realtime.gateway.ts`,
      code: "import '../chat/chat.gateway';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/meta/meta.module.ts`,
      code: "import '../database/object-ids';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/core/public.decorator.ts`,
      code: "import '../config/app-config';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/health/health.controller.ts`,
      code: "import '../auth/auth.service';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/metrics/app-metrics.ts`,
      code: "import '../webhook/webhook-inbox.service';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/metrics/app-metrics.ts`,
      code: "import '../meta/meta-api.errors';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/core/logging/http-logger.ts`,
      code: "import '../../metrics/app-metrics';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/chat/messages.service.ts`,
      code: "import '../../bootstrap/create-app';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/chat/messages.service.ts`,
      code: "import '../testing/test-app';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/chat/chat.module.ts`,
      code: "const m = import('../webhook/webhook.module');",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: `${src}/app/chat/chat.module.ts`,
      code: "import '../billing/billing.module';",
      errors: [{ messageId: 'unknownFolder' }],
    },
    {
      filename: `${src}/app/billing/billing.module.ts`,
      code: "import '../core/public.decorator';",
      errors: [{ messageId: 'unknownFolder' }],
    },
  ],
});

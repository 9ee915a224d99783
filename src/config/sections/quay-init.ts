import * as z from 'zod';
import { secretValue } from '../secret.js';
import { filePath, instanceName, kubernetesName, namespaceName, presence } from '../values.js';

const organization = z
  .strictObject({
    name: namespaceName,
    state: presence,
    email: z
      .email()
      .optional()
      .meta({
        description:
          "The organization's contact email; Quay ≤ 3.17 with FEATURE_MAILING requires one (each unique)",
        examples: ['platform-team@example.com'],
      }),
  })
  .meta({ examples: [{ name: 'platform-team', state: 'present' }] });

const tokenOutput = z
  .strictObject({
    secret: z
      .strictObject({
        name: kubernetesName,
        namespace: kubernetesName.meta({ examples: ['quay'] }),
        key: z.string().min(1).default('token'),
      })
      .optional()
      .meta({ description: 'Write the token into this Kubernetes Secret (applied with the cluster CLI)' }),
    file: filePath
      .optional()
      .meta({ description: 'Write the token to this file (mode 0600)', examples: ['/workspace/out/token'] }),
  })
  .meta({ description: 'Where to hand on the token returned by the first-user initialisation' });

export const quayInitSchema = z
  .strictObject({
    instance: instanceName.default('primary').meta({ description: 'Which entry of `quay` to configure' }),
    namespace: kubernetesName
      .optional()
      .meta({ description: 'OpenShift namespace of the QuayRegistry', examples: ['quay'] }),
    registry: kubernetesName.optional().meta({
      description: 'Name of the QuayRegistry object (its configBundleSecret is edited)',
      examples: ['central'],
    }),
    initialUser: z
      .strictObject({
        username: namespaceName.meta({ examples: ['quayadmin'] }),
        password: secretValue(
          'Password of the first user (at least 8 characters for Quay)',
          'QUAY_ADMIN_PASSWORD',
        ),
        email: z.email().meta({ examples: ['admin@example.com'] }),
      })
      .optional()
      .meta({ description: 'First user, created through /api/v1/user/initialize while Quay has no user' }),
    tokenOutput: tokenOutput.optional(),
    adminOrganization: namespaceName.optional().meta({
      description: 'Organization for automation (the original quay_admin_org)',
      examples: ['admin-org'],
    }),
    organizations: z
      .array(organization)
      .default([])
      .meta({ description: 'Organizations to create or delete' }),
    superUsers: z
      .array(namespaceName)
      .default([])
      .meta({ description: 'Users added to SUPER_USERS in the config bundle', examples: [['quayadmin']] }),
    takeOwnership: z
      .strictObject({
        users: z
          .array(namespaceName)
          .default([])
          .meta({ examples: [['quayadmin']] }),
        allSuperUsers: z
          .boolean()
          .default(false)
          .meta({ description: 'Also every user listed in SUPER_USERS' }),
      })
      .optional()
      .meta({ description: 'Add users to team `owners` of every organization' }),
    configBundle: z
      .strictObject({
        file: filePath.meta({ description: "Quay config.yaml for the QuayRegistry's config bundle" }),
        secretName: kubernetesName.default('init-config-bundle-secret'),
        extraFiles: z
          .record(z.string().min(1), filePath)
          .default({})
          .meta({
            description: 'More keys of the secret, each from a file',
            examples: [{ 'ssl.cert': '/workspace/tls/tls.crt' }],
          }),
        ldapBootstrap: z.boolean().default(false).meta({
          description:
            'Strip LDAP for the first-user bootstrap, then restore it (the original tool sequence)',
        }),
      })
      .optional()
      .meta({ description: 'The config-bundle secret of the QuayRegistry' }),
  })
  .meta({ description: 'quay-init: first user, organizations, super users, ownership, config bundle' });

export type QuayInitConfig = z.output<typeof quayInitSchema>;

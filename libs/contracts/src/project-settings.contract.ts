import { z } from 'zod';

/**
 * A project's settings, one section per concern. Each section is a strict schema of its fields
 * and the defaults a project starts with, so a project created before a section existed reads it
 * with the defaults. `GET /api/v1/projects/:id/settings` returns every section;
 * `PATCH /api/v1/projects/:id/settings` replaces the fields it names (admins only).
 *
 * A feature adds its section to `PROJECT_SETTINGS_SECTIONS` and one line to `ProjectSettingsPatch`.
 */
export function settingsSection<S extends z.core.$ZodLooseShape>(shape: S, defaults: z.infer<z.ZodObject<S, z.core.$strict>>) {
  const schema = z.strictObject(shape);
  return { schema, defaults, patch: schema.partial() };
}

export const RecordingSettings = settingsSection(
  {
    /** Origins whose pages may send recordings with the public key; `*` allows any. */
    allowedOrigins: z
      .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/, message: 'must be an origin such as https://shop.example.com' })]))
      .max(50),
  },
  { allowedOrigins: ['*'] },
);

export const IntegrationSettings = settingsSection(
  {
    /** Where new feedback answers are posted as Slack-compatible JSON; only http(s) URLs are taken. */
    webhookUrl: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL, such as a Slack incoming webhook' }).max(2000).nullable(),
    /** Which answers are forwarded: none, every new one, or only detractors (the low end of each scale). */
    forwardFeedback: z.enum(['off', 'all', 'detractors'], { message: 'must be off, all or detractors' }),
  },
  { webhookUrl: null, forwardFeedback: 'off' },
);

export const CxSettings = settingsSection(
  {
    /** The custom event (`Loupe.track`) whose numeric property is revenue, for customer lifetime value. */
    revenueEvent: z.string().trim().min(1).max(200).nullable(),
    /** The property of that event holding the amount. */
    revenueProperty: z.string().trim().min(1).max(200),
    /** Days without a visit after which an identified visitor counts as churned. */
    churnDays: z.number().int('must be a whole number of days').min(1).max(365),
  },
  { revenueEvent: null, revenueProperty: 'value', churnDays: 30 },
);

export const PROJECT_SETTINGS_SECTIONS = {
  recording: RecordingSettings,
  integrations: IntegrationSettings,
  cx: CxSettings,
} as const;

export type SettingsSectionName = keyof typeof PROJECT_SETTINGS_SECTIONS;

export type ProjectSettings = { [K in SettingsSectionName]: z.infer<(typeof PROJECT_SETTINGS_SECTIONS)[K]['schema']> };

/** A change to some fields of some sections; what it does not name stays as it was. */
export const ProjectSettingsPatch = z.strictObject({
  recording: RecordingSettings.patch.optional(),
  integrations: IntegrationSettings.patch.optional(),
  cx: CxSettings.patch.optional(),
});
export type ProjectSettingsPatch = z.infer<typeof ProjectSettingsPatch>;

/** Stored sections (possibly partial, possibly from an older version) with every default filled in. */
export function readProjectSettings(stored: Record<string, unknown>): ProjectSettings {
  const out: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(PROJECT_SETTINGS_SECTIONS)) {
    const saved = stored[name];
    const merged = { ...section.defaults, ...(saved && typeof saved === 'object' ? saved : {}) };
    const parsed = section.schema.safeParse(merged);
    // A field that no longer validates (a rule tightened since it was saved) reads as its default.
    out[name] = parsed.success ? parsed.data : section.schema.safeParse(section.defaults).data;
  }
  return out as ProjectSettings;
}

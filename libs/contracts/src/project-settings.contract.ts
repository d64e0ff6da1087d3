import { z } from 'zod';
import { mergeSettings, settingsSection } from './settings-section';
import { AlertSettings } from './alerts.contract';
import { CxSettings, IntegrationSettings } from './feedback.contract';
import { PageSettings } from './pages.contract';
import { SignalSettings } from './signals.contract';

export { mergeSettings, settingsSection };

/**
 * A project's settings, one section per concern. Each section is a strict schema of its fields
 * and the defaults a project starts with, so a project created before a section existed reads it
 * with the defaults. `GET /api/v1/projects/:id/settings` returns every section;
 * `PATCH /api/v1/projects/:id/settings` changes the fields it names (admins only).
 *
 * A feature adds its section to `PROJECT_SETTINGS_SECTIONS` and one line to `ProjectSettingsPatch`.
 */
export const RecordingSettings = settingsSection(
  {
    /** Origins whose pages may send recordings with the public key; `*` allows any. */
    allowedOrigins: z
      .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/, message: 'must be an origin such as https://shop.example.com' })]))
      .max(50),
  },
  { allowedOrigins: ['*'] },
);

/** How long a project keeps what it recorded; older sessions, signals, page views and feedback are deleted daily. */
export const RetentionSettings = settingsSection(
  {
    /** Days a recording and everything drawn from it is kept, counted from its last event. */
    days: z.number().int().min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days (ten years)'),
  },
  { days: 90 },
);

/**
 * What the browser SDK masks and whether it listens to the visitor's browser-wide refusal. Sent to
 * the SDK through `GET /v1/config`; the SDK's own defaults (every input masked, passwords always)
 * stay in force whatever is set here.
 */
export const PrivacySettings = settingsSection(
  {
    /** Replace every text node with mask characters, not only inputs. */
    maskAllText: z.boolean(),
    /** CSS selectors whose text and input values are masked, on top of the defaults. */
    maskSelectors: z.array(z.string().trim().min(1).max(200)).max(50),
    /** CSS selectors of elements not recorded at all (an empty box of the same size is shown). */
    blockSelectors: z.array(z.string().trim().min(1).max(200)).max(50),
    /** Record nothing from a browser that sends Do Not Track or Global Privacy Control. */
    honorDoNotTrack: z.boolean(),
    /**
     * Keep each visit's country (two letters), as the proxy or CDN in front of Loupe names it in the
     * header the installation sets with LOUPE_COUNTRY_HEADER. Never the address, never finer.
     */
    coarseLocation: z.boolean(),
  },
  { maskAllText: false, maskSelectors: [], blockSelectors: [], honorDoNotTrack: false, coarseLocation: false },
);

export const PROJECT_SETTINGS_SECTIONS = {
  recording: RecordingSettings,
  signals: SignalSettings,
  pages: PageSettings,
  alerts: AlertSettings,
  integrations: IntegrationSettings,
  cx: CxSettings,
  retention: RetentionSettings,
  privacy: PrivacySettings,
} as const;

export type SettingsSectionName = keyof typeof PROJECT_SETTINGS_SECTIONS;

export type ProjectSettings = { [K in SettingsSectionName]: z.infer<(typeof PROJECT_SETTINGS_SECTIONS)[K]['schema']> };

/** A change to some fields of some sections; what it does not name stays as it was. */
export const ProjectSettingsPatch = z.strictObject({
  recording: RecordingSettings.patch.optional(),
  signals: SignalSettings.patch.optional(),
  pages: PageSettings.patch.optional(),
  alerts: AlertSettings.patch.optional(),
  integrations: IntegrationSettings.patch.optional(),
  cx: CxSettings.patch.optional(),
  retention: RetentionSettings.patch.optional(),
  privacy: PrivacySettings.patch.optional(),
});
export type ProjectSettingsPatch = z.infer<typeof ProjectSettingsPatch>;

/** Stored sections (possibly partial, possibly from an older version) with every default filled in. */
export function readProjectSettings(stored: Record<string, unknown>): ProjectSettings {
  const out: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(PROJECT_SETTINGS_SECTIONS)) {
    const saved = stored[name];
    const merged = mergeSettings(section.defaults, saved && typeof saved === 'object' ? saved : {});
    let parsed = section.schema.safeParse(merged);
    if (!parsed.success && merged && typeof merged === 'object') {
      // A field that no longer validates (a rule tightened since it was saved) reads as its default.
      const fixed: Record<string, unknown> = { ...(merged as Record<string, unknown>) };
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (typeof field === 'string') fixed[field] = (section.defaults as Record<string, unknown>)[field];
        else if (issue.code === 'unrecognized_keys') for (const k of issue.keys) delete fixed[k];
      }
      parsed = section.schema.safeParse(fixed);
    }
    out[name] = parsed.success ? parsed.data : section.defaults;
  }
  return out as ProjectSettings;
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Heatmap rollups per page key, device class, day and variant (empty until experiment exposures
 * split them), and each session's own contribution to them, so that analysing a session again
 * replaces what it added instead of adding it twice. Page views keep their deepest scroll.
 */
export class Heatmaps1764600000000 implements MigrationInterface {
  name = 'Heatmaps1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE page_view ADD COLUMN max_scroll_depth real, ADD COLUMN document_height integer;

      CREATE TABLE heatmap_cell (
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        page_key text NOT NULL,
        device text NOT NULL,
        day date NOT NULL,
        variant text NOT NULL DEFAULT '',
        layer text NOT NULL,
        selector text NOT NULL DEFAULT '',
        gx integer NOT NULL,
        gy integer NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (project_id, page_key, device, layer, variant, day, selector, gx, gy)
      );
      CREATE TABLE heatmap_session_cell (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        page_key text NOT NULL,
        device text NOT NULL,
        day date NOT NULL,
        variant text NOT NULL DEFAULT '',
        layer text NOT NULL,
        selector text NOT NULL DEFAULT '',
        gx integer NOT NULL,
        gy integer NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (project_id, session_id, page_key, device, layer, variant, day, selector, gx, gy),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
      CREATE TABLE heatmap_zone (
        project_id uuid NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        page_key text NOT NULL,
        device text NOT NULL,
        day date NOT NULL,
        variant text NOT NULL DEFAULT '',
        selector text NOT NULL,
        clicks bigint NOT NULL,
        visitors bigint NOT NULL,
        rage bigint NOT NULL,
        dead bigint NOT NULL,
        hover_ms bigint NOT NULL,
        PRIMARY KEY (project_id, page_key, device, variant, day, selector)
      );
      CREATE TABLE heatmap_session_zone (
        project_id uuid NOT NULL,
        session_id text NOT NULL,
        page_key text NOT NULL,
        device text NOT NULL,
        day date NOT NULL,
        variant text NOT NULL DEFAULT '',
        selector text NOT NULL,
        clicks integer NOT NULL,
        visitors integer NOT NULL,
        rage integer NOT NULL,
        dead integer NOT NULL,
        hover_ms integer NOT NULL,
        PRIMARY KEY (project_id, session_id, page_key, device, variant, day, selector),
        FOREIGN KEY (project_id, session_id) REFERENCES session (project_id, id) ON DELETE CASCADE
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE heatmap_session_zone;
      DROP TABLE heatmap_zone;
      DROP TABLE heatmap_session_cell;
      DROP TABLE heatmap_cell;
      ALTER TABLE page_view DROP COLUMN max_scroll_depth, DROP COLUMN document_height;
    `);
  }
}

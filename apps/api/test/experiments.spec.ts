import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseShapes } from '../../../tools/testing/databases';
import { seedAccount, startTestApi, type TestApi } from '../../../tools/testing/test-app';

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('loupe_session='))!.split(';')[0]!;

/** The worked example of docs/statistics.md: 100/1000 converted in the control, 130/1000 in b. */
const valid = () => ({
  engine: 'frequentist',
  difference: 'relative',
  alpha: 0.05,
  alternative: 'two-sided',
  variants: [
    { key: 'control', weight: 0.5, users: 1000 },
    { key: 'b', weight: 0.5, users: 1000 },
  ],
  metrics: [
    {
      key: 'purchase',
      inverse: false,
      stats: { control: { type: 'proportion', n: 1000, sum: 100 }, b: { type: 'proportion', n: 1000, sum: 130 } },
    },
  ],
});

describe.each(databaseShapes())('experiment analysis over HTTP on the $name database', (shape) => {
  let api: TestApi;
  let cookie: string;

  beforeAll(async () => {
    api = await startTestApi(shape.url);
    const account = await seedAccount(api, 'viewer');
    cookie = cookieOf(await request(api.http).post('/api/v1/auth/login').send({ email: account.email, password: account.password }));
  });
  afterAll(() => api?.close());

  const analyze = (body: unknown) => request(api.http).post('/api/v1/experiments/analyze').set('cookie', cookie).send(body as object);

  it('answers a valid request with the documented shape and the worked figures, for any role', async () => {
    const res = await analyze(valid());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      srm: { pValue: 1, flagged: false, error: null },
      metrics: [
        {
          key: 'purchase',
          inverse: false,
          theta: null,
          results: [
            {
              variant: 'b',
              expected: expect.any(Number),
              ci: [expect.any(Number), expect.any(Number)],
              stddev: expect.any(Number),
              pValue: expect.any(Number),
              adjustedPValue: null,
              chanceToWin: null,
              risk: null,
              verdict: 'inconclusive',
              error: null,
            },
          ],
        },
      ],
    });
    const r = res.body.metrics[0].results[0];
    expect(r.expected).toBeCloseTo(0.3, 12);
    expect(r.pValue).toBeCloseTo(0.0655973326026247, 12);
    expect(r.stddev ** 2).toBeCloseTo(0.02652, 12);
  });

  it('fills the defaults, answers Bayesian with chance to win and risk, and one-sided intervals with an open side null', async () => {
    const bayes = await analyze({ ...valid(), engine: 'bayesian', prior: { mean: 0, variance: 0.1 } });
    expect(bayes.status).toBe(200);
    const b = bayes.body.metrics[0].results[0];
    expect(b.pValue).toBeNull();
    expect(b.chanceToWin).toBeCloseTo(0.949265942691151, 12);
    expect(b.risk).toEqual({ control: expect.any(Number), treatment: expect.any(Number) });
    const { engine: _e, difference: _d, alpha: _a, ...minimal } = valid();
    const greater = await analyze({ ...minimal, alternative: 'greater', sequential: {}, correction: 'holm' });
    expect(greater.status).toBe(200);
    const g = greater.body.metrics[0].results[0];
    expect(g.ci[1]).toBeNull();
    expect(g.adjustedPValue).toBe(g.pValue);
  });

  it('answers a degenerate metric with 200 and a sentence in that result only', async () => {
    const body = valid();
    body.metrics.push({ key: 'refunds', inverse: true, stats: { control: { type: 'proportion', n: 1000, sum: 0 }, b: { type: 'proportion', n: 1000, sum: 0 } } });
    const res = await analyze(body);
    expect(res.status).toBe(200);
    expect(res.body.metrics[0].results[0].error).toBeNull();
    expect(res.body.metrics[1].results[0]).toMatchObject({ variant: 'b', expected: null, ci: null, stddev: null, pValue: null, error: expect.stringMatching(/does not vary/) });
  });

  describe('refuses with 400 naming the field', () => {
    const cases: Array<[string, (b: ReturnType<typeof valid>) => unknown, string, RegExp]> = [
      ['a proportion above its n', (b) => ((b.metrics[0]!.stats.b as { sum: number }).sum = 1001, b), 'metrics.0.stats.b.sum', /must not exceed n \(1000\)/],
      ['a sum of squares no data gives', (b) => ((b.metrics[0]!.stats as Record<string, unknown>).control = { type: 'mean', n: 10, sum: 100, sumSquares: 900 }, b), 'metrics.0.stats.control.sumSquares', /smaller than sum²\/n/],
      ['a variant named in stats but not in variants', (b) => ((b.metrics[0]!.stats as Record<string, unknown>).z = { type: 'proportion', n: 5, sum: 1 }, b), 'metrics.0.stats.z', /names no variant/],
      ['a variant without stats', (b) => (delete (b.metrics[0]!.stats as Record<string, unknown>).b, b), 'metrics.0.stats.b', /is required/],
      ['a variant named like an object property, without stats', (b) => ((b.variants[1]!.key = 'constructor'), b), 'metrics.0.stats.constructor', /is required/],
      ['weights that do not add up to 1', (b) => ((b.variants[1]!.weight = 0.4), b), 'variants', /add up to 1; they add up to 0\.9/],
      ['two variants with one key', (b) => ((b.variants[1]!.key = 'control'), b), 'variants.1.key', /repeats "control"/],
      ['an unknown statistic type', (b) => ((b.metrics[0]!.stats.b as { type: string }).type = 'median', b), 'metrics.0.stats.b.type', /"proportion", "mean" or "ratio"/],
      ['mixed statistic types', (b) => ((b.metrics[0]!.stats as Record<string, unknown>).b = { type: 'mean', n: 10, sum: 5, sumSquares: 5 }, b), 'metrics.0.stats.b.type', /must be "proportion"/],
      [
        'a ratio product sum beyond Cauchy–Schwarz',
        (b) => (
          (b.metrics[0]!.stats as Record<string, unknown>) = {
            control: { type: 'ratio', n: 4, numerator: { sum: 4, sumSquares: 6 }, denominator: { sum: 4, sumSquares: 6 }, sumProducts: 100 },
            b: { type: 'ratio', n: 4, numerator: { sum: 4, sumSquares: 6 }, denominator: { sum: 4, sumSquares: 6 }, sumProducts: 5 },
          },
          b
        ),
        'metrics.0.stats.control.sumProducts',
        /correlation would be beyond ±1/,
      ],
      ['pre without its product sum', (b) => (Object.assign(b.metrics[0]!.stats.b, { pre: { sum: 1, sumSquares: 1 } }), b), 'metrics.0.stats.b.sumProductsPrePost', /is required with pre/],
      ['alpha out of range', (b) => ({ ...b, alpha: 0.7 }), 'alpha', /below 0\.5/],
      ['sequential with the Bayesian engine', (b) => ({ ...b, engine: 'bayesian', sequential: { tuning: 5000 } }), 'sequential', /frequentist engine only/],
      ['a prior with the frequentist engine', (b) => ({ ...b, prior: { mean: 0, variance: 0.1 } }), 'prior', /Bayesian engine only/],
      ['a negative prior variance', (b) => ({ ...b, engine: 'bayesian', prior: { mean: 0, variance: -1 } }), 'prior.variance', /above 0/],
      ['an unknown field', (b) => ({ ...b, power: 0.8 }), '(body)', /unknown field\(s\): power/],
      ['a single variant', (b) => ({ ...b, variants: [b.variants[0]] }), 'variants', /at least one other variant/],
    ];
    it.each(cases)('%s', async (_name, mutate, path, message) => {
      const res = await analyze(mutate(valid()));
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
      expect(res.body.message).toContain(path);
    });
  });

  it('refuses a call without a console session with 401', async () => {
    const res = await request(api.http).post('/api/v1/experiments/analyze').send(valid());
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/Log in/);
  });

  it('refuses a user who sees no project with 403 and says why', async () => {
    const loner = await seedAccount(api);
    await api.platform.dataSource.query('DELETE FROM project WHERE id = $1', [loner.project.id]);
    const c = cookieOf(await request(api.http).post('/api/v1/auth/login').send({ email: loner.email, password: loner.password }));
    const res = await request(api.http).post('/api/v1/experiments/analyze').set('cookie', c).send(valid());
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/at least one project/);
  });

  it('is documented in the OpenAPI description with its request schema', async () => {
    const doc = await request(api.http).get('/api/docs/openapi.json');
    const op = doc.body.paths['/api/v1/experiments/analyze'].post;
    expect(op.tags).toEqual(['experiments']);
    const schema = op.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['engine', 'difference', 'alpha', 'alternative', 'sequential', 'prior', 'correction', 'variants', 'metrics']));
    expect(op.responses['200']).toBeDefined();
  });
});

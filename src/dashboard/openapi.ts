import { z } from 'zod';
import { statusPayloadSchema } from '../bot/status-types.js';
import { chartQuerySchema, errorSchema, flowsPageSchema, flowsQuerySchema, probeSchema } from './route-schemas.js';
import { reportViewSchema } from './report-schema.js';

/**
 * `GET /openapi.json`: OpenAPI 3.1 generated from the zod schemas the status builder and the routes use, so a
 * bot or script can validate what it polls and generate a client. Built once per process.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  const named: Record<string, z.ZodType> = {
    StatusPayload: statusPayloadSchema,
    FlowsPage: flowsPageSchema,
    ReportView: reportViewSchema,
    Probe: probeSchema,
    Error: errorSchema,
  };
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'throw' });
  for (const s of Object.values(schemas)) delete (s as Record<string, unknown>)['$schema'];

  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  const json = (id: string, description: string) => ({ description, content: { 'application/json': { schema: ref(id) } } });
  const text = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' } } } });
  const errors = {
    '401': json('Error', 'STATUS_TOKEN is set and the request carries neither the Bearer token, `?token=`, nor the session cookie.'),
    '421': json('Error', 'The Host header names a host this server does not answer for (DNS-rebinding guard).'),
  };
  const warming = { '503': json('Error', 'Before the first tick (Retry-After: 1).') };
  const revalidated = { '304': { description: 'The If-None-Match tag is current: nothing changed since.' } };
  const bad = { '400': json('Error', 'A query parameter is malformed, out of range or unknown.') };
  const probe = (what: string) => ({ get: { summary: what, security: [], responses: { '200': json('Probe', 'Healthy.'), '503': json('Probe', 'Not healthy.') } } });
  const csv = (what: string) => ({ get: { summary: what, responses: { '200': text('text/csv', 'CSV with a header row.'), ...warming, ...errors } } });

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: 'Kraken balance sidecar', version, description: 'What the sidecar serves: the reconciliation snapshot, the flow history, reports and exports. Times are unix seconds; `doge` names mean the base asset.' },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'STATUS_TOKEN (also accepted as `?token=` or the session cookie `/?token=` sets); none when unset.' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/status': { get: { summary: 'The snapshot of the last tick (strong ETag per tick, Cache-Control: no-cache).', responses: { '200': json('StatusPayload', 'The snapshot.'), ...revalidated, ...warming, ...errors } } },
      '/flows': {
        get: {
          summary: 'The flow and income history, newest first, paged by ledger time.',
          parameters: parameters(flowsQuerySchema),
          responses: { '200': json('FlowsPage', 'One page.'), ...revalidated, ...bad, ...warming, ...errors },
        },
      },
      '/events': {
        get: {
          summary: 'Server-Sent Events: `snapshot` (the whole payload, first on every connection) then `status` ({changed, sections}) per tick; the id is the /status ETag.',
          parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'Resume: the stream starts with one full snapshot.' }],
          responses: { '200': text('text/event-stream', 'The stream; `: keep-alive` comments in between.'), '503': json('Error', 'Too many streams, or shutting down.'), ...errors },
        },
      },
      '/report': { get: { summary: 'Period reports (section 17).', responses: { '200': json('ReportView', 'The report.'), ...warming, ...errors } } },
      '/report.csv': csv('The period reports as CSV.'),
      '/flows.csv': csv('Every stored flow as CSV.'),
      '/equity.csv': csv('The equity series as CSV.'),
      '/chart.svg': {
        get: {
          summary: 'The equity chart as a standalone SVG.',
          parameters: parameters(chartQuerySchema),
          responses: { '200': text('image/svg+xml', 'The chart.'), ...revalidated, ...bad, ...warming, ...errors },
        },
      },
      '/metrics': { get: { summary: 'Prometheus exposition.', responses: { '200': text('text/plain', 'Metrics.'), '404': json('Error', 'Metrics are off.'), ...errors } } },
      '/healthz': probe('Ticks are fresh (the last tick < 3 intervals ago). Open: no token, any Host.'),
      '/livez': probe('The loop is not stuck. Open.'),
      '/readyz': probe('Fresh ticks with data. Open.'),
      '/openapi.json': { get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors } } },
    },
  };
}

/** A strict query object as OpenAPI parameters (its JSON Schema properties, each with its own schema). */
function parameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: js.required?.includes(name) === true, ...(description === undefined ? {} : { description }), schema: rest };
  });
}

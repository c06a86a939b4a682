import { quoteIdent } from '../../source/pg-config.ts';
import { classify } from '../../errors/classify.ts';
import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { sourceFacts } from '../source-facts.ts';

// Logs in with the job's account. SQLSTATE class 28 is permanent (a retry
// cannot fix a wrong password), so each case says exactly what to change.
export const sourceAuthentication: Precheck = {
  id: 'source-authentication',
  title: 'Source accepts the login (user, password, pg_hba.conf, CONNECT)',
  requires: ['source-reachable'],
  appliesTo: () => true,
  async run(ctx) {
    try {
      await ctx.source();
    } catch (err) {
      return loginFailure(err, ctx.job.source);
    }
    const facts = await sourceFacts(ctx);
    return pass(`logged in as ${quoteIdent(facts.currentUser)} to database ${quoteIdent(facts.database)} (PostgreSQL ${facts.version}${facts.isSuperuser ? ', superuser' : ''})`);
  },
};

export function loginFailure(err: unknown, source: { user: string; database: string; host: string; sslmode: string }, side: 'source' | 'destination' = 'source'): Finding {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const user = quoteIdent(source.user);
  const database = quoteIdent(source.database);
  switch (e.code) {
    case '28P01':
      return error(`${message} (SQLSTATE 28P01)`, `Update the job's ${side}.password, or set the password on the ${side}: ALTER ROLE ${user} WITH PASSWORD '<new password>';`);
    case '28000': {
      if (/does not exist/.test(message)) return error(`${message} (SQLSTATE 28000)`, `CREATE ROLE ${user} WITH LOGIN PASSWORD '<password>';`);
      if (/not permitted to log in/.test(message)) return error(`${message} (SQLSTATE 28000)`, `ALTER ROLE ${user} WITH LOGIN;`);
      const address = /host "([^"]+)"/.exec(message)?.[1];
      const cidr = address ? (address.includes(':') ? `${address}/128` : `${address}/32`) : '<tributary address>/32';
      const ssl = /no encryption/.test(message) ? 'host' : 'hostssl';
      return error(
        `${message} (SQLSTATE 28000)`,
        `Add this line to pg_hba.conf above any broader rule, then reload:\n${ssl} ${database} ${user} ${cidr} scram-sha-256\nSELECT pg_reload_conf();`,
      );
    }
    case '3D000':
      return error(`${message} (SQLSTATE 3D000)`, `Correct ${side}.database, or create it: CREATE DATABASE ${database};`);
    case '42501':
      return error(`${message} (SQLSTATE 42501)`, `GRANT CONNECT ON DATABASE ${database} TO ${user};`);
    case '53300':
      return error(`${message} (SQLSTATE 53300)`, `Close idle connections on the ${side} or raise max_connections (ALTER SYSTEM SET max_connections = <n>; then restart PostgreSQL).`);
  }
  if (/does not support SSL/i.test(message)) {
    return error(message, `The server does not offer TLS: enable ssl = on on the ${side}, or set ${side}.sslmode to "disable" (now "${source.sslmode}").`);
  }
  if (/self.signed|certificate|CERT_/i.test(message)) {
    return error(message, `The server's certificate did not verify under sslmode "${source.sslmode}": install a certificate signed by a trusted CA, or use sslmode "require".`);
  }
  const classified = classify(err);
  return error(`${classified.message}`, classified.remedy);
}

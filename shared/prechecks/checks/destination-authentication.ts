import { quoteIdent } from '../../source/pg-config.ts';
import { pass, type Precheck } from '../precheck.ts';
import { destinationFacts, isPostgresDestination, postgresDestinationOf } from '../destination-targets.ts';
import { loginFailure } from './source-authentication.ts';

// Logs in to the destination with the job's destination account; the password
// comes from the secret store and is handed to the connection only.
export const destinationAuthentication: Precheck = {
  id: 'destination-authentication',
  title: 'Destination accepts the login (user, password, pg_hba.conf, CONNECT)',
  requires: ['destination-reachable'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    try {
      await ctx.destination();
    } catch (err) {
      return loginFailure(err, postgresDestinationOf(ctx.job), 'destination');
    }
    const facts = await destinationFacts(ctx);
    return pass(`logged in as ${quoteIdent(facts.currentUser)} to destination database ${quoteIdent(facts.database)} (PostgreSQL ${facts.version}${facts.isSuperuser ? ', superuser' : ''})`);
  },
};

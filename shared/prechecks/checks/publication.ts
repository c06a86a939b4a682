import { quoteIdent } from '../../source/pg-config.ts';
import { describePublicationGap, primaryPublicationSql, publicationUsable, readPublicationGap } from '../../source/standby-publication.ts';
import { error, pass, skipped, type Finding, type Precheck, type PrecheckContext } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { existing, jobTables, nameOf, selectedTables } from '../selected-tables.ts';
import { sourceFacts } from '../source-facts.ts';

// The worker runs CREATE PUBLICATION … FOR TABLE, or ALTER PUBLICATION … SET
// TABLE when it exists. PostgreSQL allows that to a role with CREATE on the
// database that owns the publication and has the owner's rights on every
// table named (superusers bypass all three). A standby can do neither: there
// the publication must already fit the job, created on the primary.
export const publication: Precheck = {
  id: 'publication',
  title: 'Publication name is free or ours, and the account may create it',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const name = ctx.job.publicationName;
    const [facts, tables, client] = await Promise.all([sourceFacts(ctx), selectedTables(ctx), ctx.source()]);
    if (facts.inRecovery) return onStandby(ctx, facts.versionNum);
    const { rows } = await client.query(
      `SELECT pg_get_userbyid(p.pubowner) AS owner, pg_has_role(p.pubowner, 'USAGE') AS owned, p.puballtables AS all_tables,
              has_database_privilege(current_database(), 'CREATE') AS can_create
         FROM (SELECT 1) AS one LEFT JOIN pg_publication p ON p.pubname = $1`,
      [name],
    );
    const pub = rows[0];
    const exists = pub.owner !== null;
    const state = exists ? `publication ${quoteIdent(name)} exists (owner ${quoteIdent(pub.owner)}) and will be set to the job's tables` : `publication ${quoteIdent(name)} does not exist yet and will be created`;
    if (facts.isSuperuser) return pass(`${state}; the account is a superuser`);

    const user = quoteIdent(facts.currentUser);
    const problems: string[] = [];
    const fixes: string[] = [];
    if (exists && !pub.owned) {
      problems.push(`it is owned by ${quoteIdent(pub.owner)}, not by ${user}`);
      fixes.push(`ALTER PUBLICATION ${quoteIdent(name)} OWNER TO ${user};`);
    }
    if (!exists && !pub.can_create) {
      problems.push(`${user} has no CREATE privilege on database ${quoteIdent(facts.database)}`);
      fixes.push(`GRANT CREATE ON DATABASE ${quoteIdent(facts.database)} TO ${user};`);
    }
    const notOwned = existing(tables).filter((t) => !t.relation.ownedByUser);
    if (notOwned.length) {
      const owners = [...new Set(notOwned.map((t) => t.relation.owner))];
      const superOwners = await client.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1) AND rolsuper', [owners]);
      const isSuper = new Set(superOwners.rows.map((r) => r.rolname as string));
      problems.push(`a publication may list only tables whose owner's rights ${user} has; it lacks them for ${listSome(notOwned.map((t) => `${qualified(t.schema, t.table)} (owner ${quoteIdent(t.relation.owner)})`))}`);
      for (const owner of owners.filter((o) => !isSuper.has(o))) fixes.push(`GRANT ${quoteIdent(owner)} TO ${user};`);
      const superOwned = notOwned.filter((t) => isSuper.has(t.relation.owner));
      if (superOwned.length) {
        // Membership in a superuser role lets the account SET ROLE to it: never suggest that.
        fixes.push('-- tables owned by a superuser: give them a non-superuser owner role instead of granting the superuser role');
        fixes.push('CREATE ROLE "tributary_table_owner" NOLOGIN;');
        fixes.push(...superOwned.map((t) => `ALTER TABLE ${qualified(t.schema, t.table)} OWNER TO "tributary_table_owner";`));
        fixes.push(`GRANT "tributary_table_owner" TO ${user};`);
      }
    }
    if (!problems.length) return pass(`${state}; ${user} may do so`);
    return error(`${state}, but ${problems.join('; ')}`, fixes.join('\n'));
  },
};

async function onStandby(ctx: PrecheckContext, versionNum: number): Promise<Finding> {
  const name = ctx.job.publicationName;
  const [{ tables }, infos, client] = await Promise.all([jobTables(ctx), selectedTables(ctx), ctx.source()]);
  const present = new Set(existing(infos).map(nameOf));
  const wanted = tables.filter((t) => present.has(nameOf(t))); // missing ones are the tables-exist check's finding
  if (!wanted.length) return skipped('none of the selected tables exists on the source');
  const gap = await readPublicationGap(client, name, wanted, versionNum);
  if (publicationUsable(gap)) {
    const others = gap.extra ? `; it also publishes ${gap.extra} other table(s), whose changes the job ignores` : '';
    const filters = wanted.some((t) => t.rowFilter) ? '; its row filters are the ones that apply (PostgreSQL keeps them deparsed, so only their presence is compared with objects.tables)' : '';
    return pass(`the source is a standby: publication ${quoteIdent(name)} exists (replicated from the primary) and publishes the job's ${wanted.length} table(s)${filters}${others}`);
  }
  return error(`the source is a standby (read-only), so the job cannot create or alter its publication: ${describePublicationGap(name, gap)}`, primaryPublicationSql(name, wanted, gap, versionNum));
}

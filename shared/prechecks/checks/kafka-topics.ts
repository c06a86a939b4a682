import { error, pass, warning, type Precheck } from '../precheck.ts';
import { listSome } from '../fix-sql.ts';
import { bootstrap, isAuthorizationError, isKafka, kafkaErrorTypes, kafkaOf, topicsOf } from '../kafka-topics-of.ts';
import { jobTables } from '../selected-tables.ts';

// Existing topics are described; missing ones are created with validateOnly,
// which runs the broker's authorization and policy checks without leaving a
// topic behind. The job creates missing topics with newTopicPartitions and
// uses an existing topic's partition count as it is.
export const kafkaTopics: Precheck = {
  id: 'kafka-topics',
  title: 'Kafka topics exist with enough partitions, or can be created',
  requires: ['kafka-brokers'],
  appliesTo: isKafka,
  async run(ctx) {
    const dest = kafkaOf(ctx.job);
    const admin = await ctx.kafkaAdmin();
    // a whole-database or schema selection is known only from the source; if it cannot be read, the listed tables are probed
    const resolved = await jobTables(ctx).then((s) => s.tables, () => undefined);
    const byTopic = topicsOf(ctx.job, resolved);
    const topics = [...byTopic.keys()];
    const known = new Set(await admin.listTopics());
    const present = topics.filter((t) => known.has(t));
    const missing = topics.filter((t) => !known.has(t));
    const notes: string[] = [];
    if (!resolved && (ctx.job.objects.wholeDatabase || ctx.job.objects.schemas)) notes.push('the tables of the selected schemas could not be listed (source unreachable): only the listed tables were probed');

    if (/#\{source_table_name\}/.test(dest.topicRule)) {
      const shared = [...byTopic].filter(([, tables]) => tables.length > 1);
      if (shared.length) notes.push(`tables that share a topic after Kafka's name rules: ${shared.map(([t, tables]) => `${t} ← ${tables.join(', ')}`).join('; ')}`);
    }

    if (missing.length) {
      try {
        await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: missing.map((topic) => ({ topic, numPartitions: dest.newTopicPartitions })) });
      } catch (err) {
        const types = kafkaErrorTypes(err).join(', ') || (err as Error).message;
        const fix = isAuthorizationError(err)
          ? `kafka-acls.sh --bootstrap-server ${bootstrap(ctx.job)} --add --allow-principal 'User:<tributary principal>' --operation Create --operation Describe --operation Write ${missing.map((t) => `--topic '${t}'`).join(' ')}`
          : `Create the topics beforehand:\n${missing.map((t) => `kafka-topics.sh --bootstrap-server ${bootstrap(ctx.job)} --create --topic '${t}' --partitions ${dest.newTopicPartitions}`).join('\n')}`;
        return error(`the broker would refuse to create ${missing.length} missing topic(s) (${listSome(missing)}): ${types}`, fix);
      }
    }

    const metadata = present.length ? (await admin.fetchTopicMetadata({ topics: present })).topics : [];
    const few = dest.partitionPolicy === 'partition-0' ? [] : metadata.filter((m) => m.partitions.length < dest.newTopicPartitions);
    const summary =
      `${topics.length} topic(s): ${present.length} exist (${listSome(metadata.map((m) => `${m.name}: ${m.partitions.length} partition(s)`), 10) || 'none'}), ` +
      `${missing.length} will be created with ${dest.newTopicPartitions} partition(s)${missing.length ? ' (creation validated)' : ''}` +
      (notes.length ? `; ${notes.join('; ')}` : '');
    if (few.length) {
      return warning(
        `${summary}; ${few.length} existing topic(s) have fewer partitions than newTopicPartitions = ${dest.newTopicPartitions}, so the job spreads keys over fewer partitions (order per key is kept either way)`,
        `-- before the job starts (adding partitions later moves keys to other partitions):\n${few.map((m) => `kafka-topics.sh --bootstrap-server ${bootstrap(ctx.job)} --alter --topic '${m.name}' --partitions ${dest.newTopicPartitions}`).join('\n')}`,
      );
    }
    return pass(summary);
  },
};

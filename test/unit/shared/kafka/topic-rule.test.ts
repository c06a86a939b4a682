import { describe, expect, it } from 'vitest';
import { topicFor } from '../../../../shared/kafka/topic-rule.ts';

const names = { database: 'shop', schema: 'public', table: 'orders' };

describe('topicFor', () => {
  it('substitutes the default rule', () => {
    expect(topicFor('#{source_db_name}.#{source_schema_name}.#{source_table_name}', names)).toBe('shop.public.orders');
  });

  it('substitutes every occurrence and keeps literal text', () => {
    expect(topicFor('cdc-#{source_table_name}_v1.#{source_table_name}', names)).toBe('cdc-orders_v1.orders');
  });

  it('a rule without variables is used as it is', () => {
    expect(topicFor('all-changes', names)).toBe('all-changes');
  });

  it('replaces characters Kafka does not allow with "_"', () => {
    expect(topicFor('#{source_db_name}.#{source_schema_name}.#{source_table_name}', { database: 'my db', schema: 'Sales$', table: 'örder/line+1' }))
      .toBe('my_db.Sales_._rder_line_1');
  });

  it('keeps the allowed characters a-z A-Z 0-9 . _ -', () => {
    expect(topicFor('#{source_table_name}', { ...names, table: 'Az09._-' })).toBe('Az09._-');
  });

  it('cuts the name to Kafka’s 249 characters', () => {
    const topic = topicFor('#{source_schema_name}.#{source_table_name}', { ...names, schema: 's'.repeat(200), table: 't'.repeat(63) });
    expect(topic).toHaveLength(249);
    expect(topic).toBe(`${'s'.repeat(200)}.${'t'.repeat(48)}`);
  });
});

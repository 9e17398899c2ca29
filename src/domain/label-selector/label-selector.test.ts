import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { matchesSelector, toLabelPredicate } from './match-label-selector.js';
import { LabelSelectorError, parseLabelSelector, splitRequirements } from './parse-label-selector.js';
import { itemAt } from '../../../test/helpers/indexing.js';

function assertRefused(selector: string, messages: string[]): void {
  assert.throws(
    () => parseLabelSelector(selector),
    (error: unknown) => {
      assert.ok(error instanceof LabelSelectorError);
      assert.deepStrictEqual(error.messages, messages);
      assert.equal(error.message, messages.join(', '));
      return true;
    },
    selector,
  );
}

describe('parseLabelSelector: grammar', () => {
  it('parses every operator', () => {
    const selector = parseLabelSelector('tier in (backend,worker),env notin (dev,test),a=1,b==2,c!=3,d,!e,example.com/f=g');
    assert.deepStrictEqual(
      selector.requirements.map(({ operator, key, values }) => [operator, key, values]),
      [
        ['in', 'tier', ['backend', 'worker']],
        ['notin', 'env', ['dev', 'test']],
        ['equal', 'a', ['1']],
        ['equal', 'b', ['2']],
        ['not_equal', 'c', ['3']],
        ['exists', 'd', []],
        ['not_exists', 'e', []],
        ['equal', 'example.com/f', ['g']],
      ],
    );
    assert.deepStrictEqual({ prefix: itemAt(selector.requirements, 7).keyPrefix, name: itemAt(selector.requirements, 7).keyName }, { prefix: 'example.com', name: 'f' });
    assert.equal(itemAt(selector.requirements, 0).keyPrefix, null);
  });

  it('accepts the documented examples', () => {
    assert.equal(parseLabelSelector('env=dev,!chargeback-code,tier in (backend,worker)').requirements.length, 3);
    assert.equal(parseLabelSelector('!fruit,env=prod,animal in (dog,horse)').requirements.length, 3);
  });

  it('splits set values like Ruby split(",")', () => {
    const values = (selector: string) => itemAt(parseLabelSelector(selector).requirements, 0).values;
    assert.deepStrictEqual(values('k in ()'), []);
    assert.deepStrictEqual(values('k in (a,)'), ['a']);
    assert.deepStrictEqual(values('k in (,a)'), ['', 'a']);
    assert.deepStrictEqual(values('k in (a,,b)'), ['a', '', 'b']);
    assert.deepStrictEqual(values('k='), []);
    assert.deepStrictEqual(values('k!='), []);
  });

  it('ignores empty requirements between commas', () => {
    assert.equal(parseLabelSelector(',a,,b,').requirements.length, 2);
  });

  it("splits requirements like Cloud Controller's scan, on generated inputs", () => {
    const reference = /(?:\([^\n]*?\)|[^,])+/g;
    const alphabet = ['a', ',', '(', ')', ' ', '\n', '='];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 2000; round++) {
      const text = Array.from({ length: Math.floor(random() * 16) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      assert.deepStrictEqual(splitRequirements(text), text.match(reference) ?? [], JSON.stringify(text));
    }
  });

  it('stays fast on long inputs built to make the splitter backtrack', () => {
    const started = performance.now();
    assertRefused('('.repeat(100_000), ['Invalid label_selector value']);
    assertRefused(`${'a in ('.repeat(20_000)}\n)`, ['Invalid label_selector value']);
    assert.ok(performance.now() - started < 2000);
  });
});

describe('parseLabelSelector: 400 texts (§4)', () => {
  it('Missing label_selector value', () => {
    assertRefused('', ['Missing label_selector value']);
    assertRefused(',', ['Missing label_selector value']);
    assertRefused(',,,', ['Missing label_selector value']);
  });

  it('Too many label_selector requirements (maximum is 50)', () => {
    const fifty = Array.from({ length: 50 }, (_, index) => `k${index}`).join(',');
    assert.equal(parseLabelSelector(fifty).requirements.length, 50);
    assertRefused(`${fifty},k50`, ['Too many label_selector requirements (maximum is 50)']);
    assertRefused(`${fifty},!,-bad`, ['Too many label_selector requirements (maximum is 50)']);
  });

  it('Invalid label_selector value', () => {
    for (const selector of ['!', 'foo = bar', 'foo in(bar)', 'foo in (bar', 'foo in bar', '!!foo', 'foo=bar\n', '=bar', ' ', 'foo in (a)\n']) {
      assertRefused(selector, ['Invalid label_selector value']);
    }
  });

  it('applies the key rules to the key', () => {
    assertRefused('cloudfoundry.org/foo=bar', ["prefix 'cloudfoundry.org' is reserved"]);
    assertRefused('a/b/c=d', ["key has more than one '/'"]);
    assertRefused('a..com/b', ["prefix 'a..com' must be in valid dns format"]);
    assertRefused('-foo', ["'-foo' starts or ends with invalid characters"]);
    assertRefused(`${'b'.repeat(64)}=x`, ["'bbbbbbbb...' is greater than 63 characters"]);
    assertRefused('foo bar in (x)', ["'foo bar' contains invalid characters"]);
    assertRefused(' in (x)', ['key cannot be empty string']);
    assertRefused('foo  in (bar)', ["'foo ' contains invalid characters"]);
    assertRefused('example.com/ in (x)', ['key cannot be empty string']);
  });

  it('applies the label value rules to the values, without trimming', () => {
    assertRefused('foo in (a, b)', ["' b' contains invalid characters"]);
    assertRefused('foo=<limes>', ["'<limes>' contains invalid characters"]);
    assertRefused('foo in (<limes>)', ["'<limes>' contains invalid characters"]);
    assertRefused('foo===bar', ["'=bar' contains invalid characters"]);
    assertRefused('foo!=a-', ["'a-' starts or ends with invalid characters"]);
    assertRefused(`foo notin (ok,${'v'.repeat(64)})`, ["'vvvvvvvv...' is greater than 63 characters"]);
    assertRefused('foo=(a,b)', ["'(a' contains invalid characters"]);
  });

  it('reports the key error before value errors, and one error per requirement', () => {
    assertRefused('-k in (a-,b-)', ["'-k' starts or ends with invalid characters"]);
    assertRefused('k in (a-,b-)', ["'a-' starts or ends with invalid characters"]);
    assertRefused('!,ok,foo=bar#,cloudfoundry.org/x', ['Invalid label_selector value', "'bar#' contains invalid characters", "prefix 'cloudfoundry.org' is reserved"]);
  });
});

describe('matchesSelector (§4 table: app1 {foo: bar}, app2 {foo: funky, santa: claus})', () => {
  const apps = { app1: { foo: 'bar' }, app2: { foo: 'funky', santa: 'claus' } };
  const table: [string, string[]][] = [
    ['foo in (bar)', ['app1']],
    ['foo notin (bar)', ['app2']],
    ['foo=bar', ['app1']],
    ['foo==bar', ['app1']],
    ['foo!=bar', ['app2']],
    ['foo=funky,santa=claus', ['app2']],
    ['santa', ['app2']],
    ['!santa', ['app1']],
  ];
  for (const [selector, expected] of table) {
    it(`${selector} → ${expected.join(', ')}`, () => {
      const predicate = toLabelPredicate(parseLabelSelector(selector));
      const matched = Object.entries(apps)
        .filter(([, labels]) => predicate(labels))
        .map(([name]) => name);
      assert.deepStrictEqual(matched, expected);
    });
  }

  it('lets notin and != match resources without the key', () => {
    assert.equal(matchesSelector(parseLabelSelector('santa notin (claus)'), apps.app1), true);
    assert.equal(matchesSelector(parseLabelSelector('santa!=claus'), apps.app1), true);
    assert.equal(matchesSelector(parseLabelSelector('santa!=claus'), apps.app2), false);
  });

  it('matches nothing for key= and everything for key!=', () => {
    for (const labels of [{}, { foo: '' }, { foo: 'bar' }] as Record<string, string>[]) {
      assert.equal(matchesSelector(parseLabelSelector('foo='), labels), false);
      assert.equal(matchesSelector(parseLabelSelector('foo!='), labels), true);
    }
  });

  it('matches empty values listed in a set', () => {
    assert.equal(matchesSelector(parseLabelSelector('foo in (,bar)'), { foo: '' }), true);
    assert.equal(matchesSelector(parseLabelSelector('foo in (bar)'), { foo: '' }), false);
  });

  it('compares prefixed keys and values exactly, and ignores inherited members', () => {
    const labels = { 'example.com/env': 'prod' };
    assert.equal(matchesSelector(parseLabelSelector('example.com/env=prod'), labels), true);
    assert.equal(matchesSelector(parseLabelSelector('env=prod'), labels), false);
    assert.equal(matchesSelector(parseLabelSelector('example.com/env=Prod'), labels), false);
    assert.equal(matchesSelector(parseLabelSelector('toString'), {}), false);
    assert.equal(matchesSelector(parseLabelSelector('!constructor'), {}), true);
  });

  it('ANDs requirements', () => {
    const selector = parseLabelSelector('env=dev,!chargeback-code,tier in (backend,worker)');
    assert.equal(matchesSelector(selector, { env: 'dev', tier: 'worker' }), true);
    assert.equal(matchesSelector(selector, { env: 'dev', tier: 'worker', 'chargeback-code': 'x' }), false);
    assert.equal(matchesSelector(selector, { env: 'prod', tier: 'worker' }), false);
    assert.equal(matchesSelector(selector, { env: 'dev', tier: 'frontend' }), false);
  });
});

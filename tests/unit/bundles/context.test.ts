import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailProblem, formatDate, isValidDate, urlProblem } from '../../../electron/core/bundles/context.ts';
import { idTail, maskId, sniffScan, validResidentId } from '../../../electron/core/bundles/people.ts';

test('web addresses: http(s) with a real host name only', () => {
  assert.equal(urlProblem('https://item.taobao.com/item.htm?id=1'), null);
  assert.equal(urlProblem('http://mobile.yangkeduo.com/goods.html?goods_id=2'), null);
  assert.match(urlProblem('item.taobao.com/item.htm')!.text, /not a web address/);
  assert.deepEqual(urlProblem('javascript:alert(1)'), { code: 'url-scheme', values: { scheme: 'javascript:' }, text: 'must be an http(s) web address, not javascript:' });
  assert.match(urlProblem('ftp://example.com/x')!.text, /http\(s\)/);
  assert.deepEqual(urlProblem('https://intranet/x')?.values, { host: 'intranet' });
});

test('dates are real calendar dates written YYYY-MM-DD', () => {
  assert.ok(isValidDate('2024-02-29'));
  assert.ok(!isValidDate('2023-02-29'));
  assert.ok(!isValidDate('2024-2-3'));
  assert.ok(!isValidDate('yesterday'));
  assert.equal(formatDate('2026-03-02', 'zh'), '2026年3月2日');
  assert.equal(formatDate('2026-03-02', 'en'), '2 March 2026');
  assert.equal(emailProblem('a@b.cn'), null);
  assert.ok(emailProblem('a@b'));
});

test('ID numbers: check digit, masking, tail', () => {
  assert.ok(validResidentId('11010519491231002X'));
  assert.ok(validResidentId('11010519491231002x'));
  assert.ok(!validResidentId('110105194912310021'));
  assert.ok(!validResidentId('1101051949123100'));
  assert.equal(maskId('11010519491231002X'), '11************002X');
  assert.equal(maskId('E1234'), '*1234');
  assert.equal(maskId(''), '');
  assert.equal(idTail('11010519491231002X'), '002X');
});

test('ID scans are recognised by their bytes', () => {
  assert.equal(sniffScan(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))?.ext, 'jpg');
  assert.equal(sniffScan(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))?.ext, 'png');
  assert.equal(sniffScan(Buffer.from('%PDF-1.7'))?.ext, 'pdf');
  assert.equal(sniffScan(Buffer.from('GIF89a')), null);
});

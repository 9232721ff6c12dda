import { describe, expect, it } from 'vitest';
import { parseXmlReply } from '../../src/whmcs/xml-reply.js';

describe('parseXmlReply', () => {
  it('reads nested elements, repeated siblings and entities', () => {
    const reply = parseXmlReply(`<?xml version="1.0" encoding="utf-8"?>
<whmcsapi version="8.13.0">
<action>getinvoices</action>
<result>success</result>
<totalresults>2</totalresults>
<invoices>
<invoice><id>1</id><notes>Tom &amp; Jerry &lt;3 &#233;&#x4E2D;</notes></invoice>
<invoice><id>2</id><notes><![CDATA[<b>raw</b>]]></notes></invoice>
</invoices>
<empty></empty>
<selfclosed/>
</whmcsapi>`);
    expect(reply.result).toBe('success');
    expect(reply.totalresults).toBe('2');
    const invoices = (reply.invoices as { invoice: Array<Record<string, string>> }).invoice;
    expect(invoices).toHaveLength(2);
    expect(invoices[0]!.notes).toBe('Tom & Jerry <3 é中');
    expect(invoices[1]!.notes).toBe('<b>raw</b>');
    expect(reply.empty).toBe('');
    expect(reply.selfclosed).toBe('');
  });

  it('keeps a single element as an object (the normalizer makes it a list)', () => {
    const reply = parseXmlReply(
      '<whmcsapi><result>success</result><clients><client><id>9</id></client></clients></whmcsapi>',
    );
    expect(reply.clients).toEqual({ client: { id: '9' } });
  });

  it('refuses broken XML with a typed error', () => {
    expect(() => parseXmlReply('<whmcsapi><result>success</whmcsapi>')).toThrow(/could not be read/);
    expect(() => parseXmlReply('')).toThrow(/could not be read/);
  });
});

import { escapeHtml } from '../src/index.js';

// One HTML escaper for every page the packages write (the auth server's interaction pages, an
// intermediary agent's onward page): values from requests and tokens are attacker-controlled text.
describe('escapeHtml', () => {
  it('escapes every character that can end a text run or an attribute value, quoted or not', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a> \`=/`)).toBe('&#60;a href&#61;&#34;x&#34; onclick&#61;&#39;y&#39;&#62;&#38;&#60;&#47;a&#62; &#96;&#61;&#47;');
  });

  it('leaves other text as it is', () => {
    expect(escapeHtml('Réserver 3 vols: ok?')).toBe('Réserver 3 vols: ok?');
  });
});

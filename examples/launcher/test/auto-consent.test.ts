import { readForm, unescapeHtml } from '../src/auto-consent.js';

describe('readForm', () => {
  it('reads action, hidden fields, visible inputs and buttons, undoing HTML escapes', () => {
    const html = `<p>x</p><form method="post" action="http:&#47;&#47;localhost:8080&#47;realms&#47;r&#47;interact">
<input type="hidden" name="step" value="login"><input type="hidden" name="code" value="AB&amp;12">
<input type="text" id="username" name="username"><input type="password" name="password">
<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>`;
    expect(readForm(html)).toEqual({
      action: 'http://localhost:8080/realms/r/interact',
      hidden: [['step', 'login'], ['code', 'AB&12']],
      inputs: ['username', 'password'],
      buttons: [['decision', 'approve'], ['decision', 'deny']],
    });
  });

  it('returns undefined without a form', () => {
    expect(readForm('<h1>Access granted</h1>')).toBeUndefined();
  });
});

describe('unescapeHtml', () => {
  it.each([
    ['&#47;&#x2F;&#X2f;', '///'],
    ['&lt;&gt;&quot;&apos;&amp;', '<>"\'&'],
    ['&unknown; &#0; &#x110000;', '&unknown; &#0; &#x110000;'],
  ])('%s', (input, output) => {
    expect(unescapeHtml(input)).toBe(output);
  });
});

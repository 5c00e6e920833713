<#-- AAuth manual code entry (docs/auth-server-contract.md "Consent"): the code the agent showed, sent back as ?code=. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("aauthEnterCode")}
    <#elseif section = "form">
        <form id="aauth-code-form" action="${aauth.action}" method="get">
            <#if aauth.callback?has_content>
                <input type="hidden" name="callback" value="${aauth.callback}">
            </#if>
            <label for="aauth-code">${msg("aauthCode")}</label>
            <input type="text" id="aauth-code" name="code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required>
            <button class="pf-v5-c-button pf-m-primary" type="submit" id="aauth-code-submit">${msg("aauthContinue")}</button>
        </form>
    </#if>
</@layout.registrationLayout>

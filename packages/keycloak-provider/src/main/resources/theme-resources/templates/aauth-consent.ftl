<#-- AAuth consent (docs/auth-server-contract.md "Consent"): agent, resource, scopes, purpose, tenant, domain hint; approve or deny. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout bodyClass="oauth"; section>
    <#if section = "header">
        ${msg("aauthConsentTitle", aauth.agentName)}
    <#elseif section = "form">
        <div id="aauth-consent" class="content-area">
            <p>${msg("aauthSignedInAs")} <strong id="aauth-username">${aauth.username}</strong></p>
            <dl>
                <dt>${msg("aauthAgent")}</dt>
                <dd id="aauth-agent">${aauth.agentName} (${aauth.agentId})</dd>
                <#if aauth.selfAccess>
                    <dt>${msg("aauthResource")}</dt>
                    <dd id="aauth-resource">${msg("aauthSelfAccess")}</dd>
                <#else>
                    <dt>${msg("aauthResource")}</dt>
                    <dd id="aauth-resource">${aauth.resourceName} (${aauth.resourceId})</dd>
                </#if>
                <#if aauth.purpose?has_content>
                    <dt>${msg("aauthPurpose")}</dt>
                    <dd id="aauth-purpose">${aauth.purpose}</dd>
                </#if>
                <#if aauth.tenant?has_content>
                    <dt>${msg("aauthTenant")}</dt>
                    <dd id="aauth-tenant">${aauth.tenant}</dd>
                </#if>
                <#if aauth.domainHint?has_content>
                    <dt>${msg("aauthDomainHint")}</dt>
                    <dd id="aauth-domain-hint">${aauth.domainHint}</dd>
                </#if>
            </dl>
            <h3>${msg("aauthScopes")}</h3>
            <ul id="aauth-scopes">
                <#list aauth.scopes as scope>
                    <li>${scope}</li>
                </#list>
            </ul>
            <form id="aauth-consent-form" action="${aauth.action}" method="post">
                <input type="hidden" name="consent_token" value="${aauth.token}">
                <button class="pf-v5-c-button pf-m-primary" type="submit" name="decision" value="approve" id="aauth-approve">${msg("aauthApprove")}</button>
                <button class="pf-v5-c-button pf-m-secondary" type="submit" name="decision" value="deny" id="aauth-deny">${msg("aauthDeny")}</button>
            </form>
        </div>
    </#if>
</@layout.registrationLayout>

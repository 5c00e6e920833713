<#-- AAuth Person Server review (current draft): a mission proposal, an agent asking to act as the person at a resource, or an access request. Approve or deny. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout bodyClass="oauth"; section>
    <#if section = "header">
        <#if aauth.kind = "mission">${msg("aauthPsMissionTitle")}<#elseif aauth.kind = "person">${msg("aauthPsPersonTitle")}<#elseif aauth.kind = "completion">${msg("aauthPsCompletionTitle")}<#else>${msg("aauthPsTokenTitle")}</#if>
    <#elseif section = "form">
        <div id="aauth-ps-review" class="content-area">
            <p>${msg("aauthSignedInAs")} <strong id="aauth-username">${aauth.username}</strong></p>
            <#if aauth.newAgent><p id="aauth-new-agent"><strong>${msg("aauthPsNewAgent")}</strong></p></#if>
            <#if aauth.chained><p id="aauth-chained">${msg("aauthPsChained")}</p></#if>
            <dl>
                <dt>${msg("aauthAgent")}</dt>
                <dd id="aauth-agent">${aauth.agentId}</dd>
                <dt>${msg("aauthPsProvider")}</dt>
                <dd id="aauth-provider">${aauth.provider}</dd>
                <#if aauth.subAgent?has_content>
                    <dt>${msg("aauthPsSubAgent")}</dt>
                    <dd id="aauth-sub-agent">${aauth.subAgent}</dd>
                </#if>
                <#if aauth.resource?has_content>
                    <dt>${msg("aauthResource")}</dt>
                    <dd id="aauth-resource">${aauth.resource}</dd>
                </#if>
                <#if aauth.scope?has_content>
                    <dt>${msg("aauthScopes")}</dt>
                    <dd id="aauth-scope">${aauth.scope}</dd>
                </#if>
                <#if aauth.mission?has_content>
                    <dt>${msg("aauthPsMission")}</dt>
                    <dd id="aauth-mission">${aauth.mission}</dd>
                </#if>
                <#if aauth.justification?has_content>
                    <dt>${msg("aauthPsJustification")}</dt>
                    <dd><pre id="aauth-justification" style="white-space: pre-wrap">${aauth.justification}</pre></dd>
                </#if>
            </dl>
            <#if aauth.summary?has_content>
                <h3>${msg("aauthPsSummary")}</h3>
                <pre id="aauth-summary" style="white-space: pre-wrap">${aauth.summary}</pre>
            </#if>
            <#if aauth.description?has_content>
                <h3>${msg("aauthPsDescription")}</h3>
                <pre id="aauth-description" style="white-space: pre-wrap">${aauth.description}</pre>
            </#if>
            <#if aauth.tools?has_content>
                <h3>${msg("aauthPsTools")}</h3>
                <ul id="aauth-tools">
                    <#list aauth.tools as tool><li><strong>${tool.name}</strong> ${tool.description}</li></#list>
                </ul>
            </#if>
            <#if aauth.resources?has_content>
                <h3>${msg("aauthPsResources")}</h3>
                <ul id="aauth-resources">
                    <#list aauth.resources as r><li>${r}</li></#list>
                </ul>
            </#if>
            <form id="aauth-ps-review-form" action="${aauth.action}" method="post">
                <input type="hidden" name="consent_token" value="${aauth.token}">
                <button class="pf-v5-c-button pf-m-primary" type="submit" name="decision" value="approve" id="aauth-approve">${msg("aauthApprove")}</button>
                <button class="pf-v5-c-button pf-m-secondary" type="submit" name="decision" value="deny" id="aauth-deny">${msg("aauthDeny")}</button>
            </form>
        </div>
    </#if>
</@layout.registrationLayout>

<#-- One-sentence result or error page of the AAuth interaction. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("aauthTitle")}
    <#elseif section = "form">
        <p id="aauth-message" class="<#if aauth.error>aauth-error<#else>aauth-ok</#if>">${aauth.text}</p>
    </#if>
</@layout.registrationLayout>

namespace Bookstore.Marketplace.Security;

/// <summary>
/// The security headers of every response (NetEscapades.AspNetCore.SecurityHeaders): a Content-Security-Policy that
/// allows only the Marketplace's own files (no inline script or style anywhere on its pages), no framing, no MIME
/// sniffing, no full referrer to other sites, and HSTS on responses that went over TLS.
/// </summary>
public static class SecurityHeadersExtensions
{
    /// <summary>The API reference pages: Scalar's and Swagger UI's own HTML (the libraries', not ours).</summary>
    private static readonly PathString[] ApiReferencePaths = ["/scalar", "/swagger"];

    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services)
    {
        var pages = Common(new HeaderPolicyCollection()).AddContentSecurityPolicy(csp =>
        {
            csp.AddDefaultSrc().None();
            csp.AddScriptSrc().Self();
            csp.AddStyleSrc().Self();
            csp.AddImgSrc().Self();
            csp.AddConnectSrc().Self();
            csp.AddFormAction().Self();
            csp.AddBaseUri().None();
            csp.AddFrameAncestors().None();
        });
        // Scalar and Swagger UI write their start-up code into their pages inline (configuration the libraries
        // generate; with script-src 'self' alone Scalar's page stays blank), so these two pages allow inline script
        // and style; nothing else of the site does.
        var apiReference = Common(new HeaderPolicyCollection()).AddContentSecurityPolicy(csp =>
        {
            csp.AddDefaultSrc().Self();
            csp.AddScriptSrc().Self().UnsafeInline();
            csp.AddStyleSrc().Self().UnsafeInline();
            csp.AddImgSrc().Self().Data();
            csp.AddFontSrc().Self().Data();
            csp.AddBaseUri().None();
            csp.AddFrameAncestors().None();
        });
        services.AddSecurityHeaderPolicies()
            .SetDefaultPolicy(pages)
            .SetPolicySelector(context => ApiReferencePaths.Any(path => context.HttpContext.Request.Path.StartsWithSegments(path))
                ? apiReference
                : context.SelectedPolicy);
        return services;
    }

    private static HeaderPolicyCollection Common(HeaderPolicyCollection policy) => policy
        .AddFrameOptionsDeny()
        .AddContentTypeOptionsNoSniff()
        .AddReferrerPolicyStrictOriginWhenCrossOrigin()
        .AddCrossOriginOpenerPolicy(builder => builder.SameOrigin())
        .AddStrictTransportSecurityMaxAgeIncludeSubDomains(maxAgeInSeconds: 365 * 24 * 60 * 60)
        .RemoveServerHeader();
}

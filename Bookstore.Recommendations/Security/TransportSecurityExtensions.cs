using Bookstore.Recommendations.Interceptors;
using Bookstore.ServiceDefaults.TransportSecurity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bookstore.Recommendations.Security;

/// <summary>
/// Recommendations' side of <see cref="TransportSecurityOptions"/>. Plain: every endpoint speaks HTTP/2 without TLS
/// (h2c). TLS and mutual TLS: the https endpoints offer HTTP/2 and HTTP/1.1 by ALPN (gRPC needs h2; a probe may speak
/// HTTP/1.1), with the certificate Kestrel loads from <c>Kestrel:Certificates:Default</c>. Under mutual TLS the
/// handshake asks for a client certificate and refuses any that does not chain to the app's CA, is expired or is not
/// for client authentication; a request that came without one is refused by <see cref="UseClientCertificateRequirement"/>
/// unless it is a health probe (a Kubernetes probe cannot present a certificate).
/// </summary>
public static class TransportSecurityExtensions
{
    public static IHostApplicationBuilder AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TransportSecurityOptions.SectionName).Get<TransportSecurityOptions>() ?? new();
        builder.Services.AddSingleton(options);
        // Kestrel's certificate context reads it before Kestrel listens otherwise (TransportSecurity/MachineTrustStore.cs).
        MachineTrustStore.LoadInBackground(options.Mode);

        builder.Services.AddOptions<KestrelServerOptions>().Configure<ILoggerFactory>((kestrel, loggers) =>
        {
            if (options.Mode == TransportSecurityMode.Plain)
            {
                // gRPC without TLS needs HTTP/2-only endpoints (h2c with prior knowledge).
                kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2);
                return;
            }

            var authority = options.LoadAuthority();
            var log = loggers.CreateLogger(typeof(TransportSecurityExtensions).FullName!);
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = options.Mode == TransportSecurityMode.Mutual ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate;
                https.CheckCertificateRevocation = false;
                https.ClientCertificateValidation = (certificate, chain, _) =>
                {
                    // The machine's trust store does not know the app's CA: the chain is built again against that CA alone.
                    var problem = authority.Problem(certificate, AppCertificateAuthority.ClientAuthentication, chain?.ChainPolicy.ExtraStore);
                    if (problem is not null)
                    {
                        log.LogWarning("Refused a client certificate ({Certificate}): {Problem}.", AppCertificateAuthority.Describe(certificate), problem);
                    }

                    return problem is null;
                };
            });
        });
        return builder;
    }

    /// <summary>Under mutual TLS, answers a call that came without a client certificate with UNAUTHENTICATED (health probes excepted).</summary>
    public static WebApplication UseClientCertificateRequirement(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TransportSecurityOptions>().Mode != TransportSecurityMode.Mutual)
        {
            return app;
        }

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TransportSecurityExtensions).FullName!);
        app.Use(async (context, next) =>
        {
            if (context.Connection.ClientCertificate is not null
                || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthEndpointPath)
                || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivenessEndpointPath))
            {
                await next(context);
                return;
            }

            log.LogWarning("Refused a call to {Path} from {Address}: no client certificate.", context.Request.Path, context.Connection.RemoteIpAddress);
            const string message = "Mutual TLS: present a client certificate issued by the Bookstore certificate authority.";
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                MalformedRequestStatus.WriteTrailersOnly(context.Response, Grpc.Core.StatusCode.Unauthenticated, message);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(message);
        });
        return app;
    }
}

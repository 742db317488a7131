using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Bookstore.ServiceDefaults.TransportSecurity;

namespace Bookstore.Marketplace.Security;

/// <summary>
/// The Marketplace's side of <see cref="TransportSecurityOptions"/>: the address it calls Recommendations at
/// (<c>https://recommendations</c> under TLS, so service discovery picks the "https" endpoints) and the handler that
/// verifies Recommendations' certificate against the app's CA alone (and its name) and, under mutual TLS, presents the
/// Marketplace's client certificate.
/// </summary>
public static class RecommendationsTransport
{
    public static TransportSecurityOptions Options(IConfiguration configuration) =>
        configuration.GetSection(TransportSecurityOptions.SectionName).Get<TransportSecurityOptions>() ?? new();

    public static Uri Address(TransportSecurityOptions options) =>
        new(options.Mode == TransportSecurityMode.Plain ? "http://recommendations" : "https://recommendations");

    public static HttpClientHandler Handler(TransportSecurityOptions options)
    {
        var handler = new HttpClientHandler();
        if (options.Mode == TransportSecurityMode.Plain)
        {
            return handler;
        }

        var authority = options.LoadAuthority();
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            certificate is not null
            // The name must match as usual; only the chain is judged against the app's CA instead of the machine's store.
            && (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
            && authority.Problem(certificate, AppCertificateAuthority.ServerAuthentication, chain?.ChainPolicy.ExtraStore) is null;
        if (options.Mode == TransportSecurityMode.Mutual)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(
                options.ClientCertificatePath ?? throw new InvalidOperationException("TransportSecurity:Mode is Mutual but TransportSecurity:ClientCertificatePath is not set."),
                options.ClientKeyPath ?? throw new InvalidOperationException("TransportSecurity:Mode is Mutual but TransportSecurity:ClientKeyPath is not set.")));
        }

        return handler;
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bookstore.ServiceDefaults.TransportSecurity;

/// <summary>
/// Loads the machine's trust store on a pool thread while the service is still starting. .NET reads it once per process
/// (on Linux the OpenSSL bundle and every file of its certificate directory: 144 certificates, 290 files here) the
/// first time it builds a certificate chain with the system trust, and under TLS that first time is on the way to the
/// first answer: Kestrel's certificate context in Recommendations before it listens, the client certificate's context
/// in the Marketplace's first handshake. Measured with dotnet-trace: 100-130 ms of each of those paths (the
/// Marketplace's first handshake 149 ms, 68 ms with this); with the AppHost, the home page came 0.1-0.15 s sooner
/// (README, Performance).
/// </summary>
public static class MachineTrustStore
{
    /// <summary>Starts the read under TLS and mutual TLS; without TLS nothing needs the store.</summary>
    public static void LoadInBackground(TransportSecurityMode mode)
    {
        if (mode != TransportSecurityMode.Plain)
        {
            _ = Task.Run(Load);
        }
    }

    private static void Load()
    {
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly);
            foreach (var certificate in store.Certificates)
            {
                certificate.Dispose();
            }
        }
        catch (CryptographicException)
        {
            // Nothing lost: the first chain that needs the store reads it, and reports what is wrong with it.
        }
    }
}

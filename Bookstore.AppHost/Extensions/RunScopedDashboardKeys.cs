using System.Security.Cryptography;

namespace Bookstore.AppHost.Extensions;

/// <summary>
/// The dashboard's two API keys (<c>AppHost:OtlpApiKey</c>, which the services send with their telemetry, and
/// <c>AppHost:DashboardApiKey</c>, for its telemetry HTTP API) made for this run, as command-line configuration:
/// never read from or written to the AppHost's user secrets.
/// <para>
/// Why: Aspire 13.6 keeps both keys in the AppHost project's user secrets (<c>secrets.json</c> of its
/// <c>UserSecretsId</c>), shared by every AppHost of the project on the machine, and each AppHost reads them through a
/// configuration source that reloads when the file changes. An AppHost that finds no key in its configuration makes one
/// and writes it there; every running AppHost then switches to it: the dashboard keeps the key it was started with, and
/// a service started later gets the new one and has its telemetry refused ("Incoming API key from 'x-otlp-api-key'
/// header doesn't match configured API key"). Seen on a CI run: the file rewritten with another key 2.9 s after the dashboard
/// was started, the Marketplace started 0.9 s later with that key, no span of it in the dashboard. A developer running the
/// app while the tests run can get the same. The command line comes last among the configuration
/// sources, so Aspire finds the keys already set, generates none and writes none, and a reload of the file changes nothing.
/// </para>
/// <para>A key set in the environment (<c>AppHost__OtlpApiKey</c>) or on the command line is kept.</para>
/// </summary>
public static class RunScopedDashboardKeys
{
    public static readonly string[] Keys = ["AppHost:OtlpApiKey", "AppHost:DashboardApiKey"];

    public static string[] AddTo(string[] args) =>
    [
        .. args,
        .. Keys.Where(key => Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal)) is null
                && !args.Any(arg => arg.TrimStart('-', '/').StartsWith(key, StringComparison.OrdinalIgnoreCase)))
            .Select(key => $"--{key}={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}"),
    ];
}

using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Bookstore.Marketplace.Security;

/// <summary>
/// The key ring the rating form's antiforgery tokens are made with. With <c>DataProtection:KeyRingPath</c> set (the
/// deployments: a Secret mounted read-only, the same file in every pod) every Marketplace process protects and
/// unprotects with the same keys, so a form rendered by one pod is accepted by another, and by the next release; the
/// processes never make keys themselves (scripts/generate-secrets.sh does, a year each, a new one a month before the
/// newest ends). A file without a key valid now stops the start with a message saying so. Without the setting (one
/// process: `dotnet run`, the tests) ASP.NET Core's default key ring, which it makes itself.
/// </summary>
public static class SharedKeyRingExtensions
{
    public const string ApplicationName = "Bookstore.Marketplace";
    public const string PathKey = "DataProtection:KeyRingPath";

    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (configuration[PathKey] is not { Length: > 0 } path)
        {
            return services;
        }

        dataProtection.DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new KeyRingFile(path));
        // Checked at start (ValidateOnStart), on options of its own: validating KeyManagementOptions would need the key
        // manager, which needs those options.
        services.AddOptions<SharedKeyRingCheck>().Validate<IKeyManager>(
            (_, keys) => KeyRingFile.HasKeyValid(keys, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow),
            $"{PathKey} ({path}) holds no Data Protection key valid now: run scripts/generate-secrets.sh, which adds one, and redeploy.")
            .ValidateOnStart();
        return services;
    }
}

/// <summary>Nothing to configure: the anchor of the start-up check that the shared key ring holds a key valid now.</summary>
public sealed class SharedKeyRingCheck;

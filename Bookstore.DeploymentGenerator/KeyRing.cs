using Bookstore.Marketplace.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;

namespace Bookstore.DeploymentGenerator;

/// <summary>
/// The deployment's side of the Marketplace's shared Data Protection key ring (its antiforgery tokens must be readable by
/// every replica). The manifest says it by environment: a project with <c>DataProtection__KeyRingPath</c> under
/// <see cref="MountPath"/> (the AppHost writes it in publish mode) gets the Secret <c>{name}-dataprotection</c>
/// (Kubernetes: kustomize's secretGenerator from the git-ignored <c>{name}/dataprotection/keyring.xml</c>; Compose:
/// that folder, read-only) mounted there. No key is ever in a generated file.
/// </summary>
internal static class KeyRing
{
    public const string MountPath = "/etc/bookstore/dataprotection";
    public const string Folder = "dataprotection";
    public const string FileName = "keyring.xml";
    public const string Variable = "DataProtection__KeyRingPath";

    // A key is used for a year; a new one is made when the newest has less than a month left, and the older ones stay
    // in the ring, so what they protected (a form open in a browser) still reads.
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static bool UsesKeyRing(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue(Variable, out var path) && path.StartsWith(MountPath + "/", StringComparison.Ordinal);

    public static string SecretName(ManifestProject project) => $"{project.Name}-dataprotection";

    /// <summary><c>Bookstore.DeploymentGenerator keyrings DIR</c>: <c>DIR/{project}/dataprotection/keyring.xml</c> for each
    /// project that uses one, with a key valid for at least another month (made with Data Protection's own key manager).</summary>
    public static void WriteKeyRings(string manifestPath, string outputDirectory)
    {
        foreach (var project in AspireManifest.Read(manifestPath).Projects.Where(project => UsesKeyRing(project.Environment)))
        {
            var path = Path.Combine(outputDirectory, project.Name, Folder, FileName);
            Console.WriteLine(Ensure(path, DateTimeOffset.UtcNow) ? $"wrote a new key into {path}" : $"kept {path}");
        }
    }

    /// <summary>Adds a key to the ring at <paramref name="path"/> unless one is valid until a month after <paramref name="now"/>; true when it did.</summary>
    public static bool Ensure(string path, DateTimeOffset now)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new KeyRingFile(path));
        using var provider = services.BuildServiceProvider();
        var keys = provider.GetRequiredService<IKeyManager>();
        if (KeyRingFile.HasKeyValid(keys, now, now + RenewBefore))
        {
            return false;
        }

        keys.CreateNewKey(now, now + Lifetime);
        return true;
    }
}

using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Bookstore.Marketplace.Security;

/// <summary>
/// An ASP.NET Core Data Protection key ring kept in one XML file (<c>&lt;keyring&gt;</c> holding each key's element), so
/// that it is one key of one Secret: ASP.NET Core's own <c>PersistKeysToFileSystem</c> keeps a file per key under names
/// made of the key's id, which a Kubernetes secretGenerator (a fixed list of files) cannot name. The Marketplace only
/// reads it; <c>Bookstore.DeploymentGenerator keyrings</c> (scripts/generate-secrets.sh) adds keys, written to a new
/// file and moved over the old one, so a reader never sees half a file. Owner-only when this process creates it.
/// </summary>
public sealed class KeyRingFile(string path) : IXmlRepository
{
    private const string RootName = "keyring";

    public string Path { get; } = path;

    /// <summary>Whether a key is active at <paramref name="now"/> and not revoked, and stays valid after <paramref name="until"/>:
    /// the Marketplace's start-up check (until = now) and the generator's renewal rule (until = a month ahead).</summary>
    public static bool HasKeyValid(IKeyManager keys, DateTimeOffset now, DateTimeOffset until) =>
        keys.GetAllKeys().Any(key => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > until);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        File.Exists(Path) ? [.. XDocument.Load(Path).Root!.Elements()] : [];

    public void StoreElement(XElement element, string friendlyName)
    {
        var document = new XDocument(new XElement(RootName, GetAllElements(), element));
        var partial = Path + ".partial";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            document.Save(stream);
        }

        File.Move(partial, Path, overwrite: true);
    }
}

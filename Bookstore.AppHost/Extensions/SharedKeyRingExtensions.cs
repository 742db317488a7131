namespace Bookstore.AppHost.Extensions;

public static class SharedKeyRingExtensions
{
    /// <summary>Where the deployments mount the Marketplace's Data Protection key ring (the generator's KeyRing.cs).</summary>
    public const string DeploymentPath = "/etc/bookstore/dataprotection/keyring.xml";

    /// <summary>
    /// Published (the deployments run several Marketplace replicas behind one Service): the Marketplace reads its Data
    /// Protection key ring from the file the deployment mounts, a Secret made by scripts/generate-secrets.sh, so every
    /// replica accepts the antiforgery tokens of the others. Run mode, one process: ASP.NET Core's own key ring.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSharedKeyRing(this IResourceBuilder<ProjectResource> builder) =>
        builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder.WithEnvironment("DataProtection__KeyRingPath", DeploymentPath)
            : builder;
}

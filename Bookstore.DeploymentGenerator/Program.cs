using Bookstore.DeploymentGenerator;

// Bookstore.DeploymentGenerator MANIFEST OUTPUT-DIRECTORY: Aspire manifest in, Kustomize tree and Compose file out.
// Bookstore.DeploymentGenerator certificates|keyrings OUTPUT-DIRECTORY: the git-ignored certificates and Data Protection
// key rings the tree mounts (scripts/generate-secrets.sh runs both).
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Bookstore.DeploymentGenerator <aspire-manifest.json> <output directory>");
    Console.Error.WriteLine("       Bookstore.DeploymentGenerator certificates <output directory>");
    Console.Error.WriteLine("       Bookstore.DeploymentGenerator keyrings <output directory>");
    return 2;
}

try
{
    if (args is ["certificates", var output])
    {
        TransportSecurity.WriteCertificates(Path.Combine(output, "aspire-manifest.json"), output);
        return 0;
    }

    if (args is ["keyrings", var keyRingOutput])
    {
        KeyRing.WriteKeyRings(Path.Combine(keyRingOutput, "aspire-manifest.json"), keyRingOutput);
        return 0;
    }

    DeploymentGenerator.Write(args[0], args[1]);
    Console.WriteLine($"Wrote the Kustomize tree and docker-compose.yaml of {args[0]} to {args[1]}.");
    return 0;
}
catch (Exception exception) when (exception is ManifestException or IOException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

using Bookstore.DeploymentGenerator;

// Bookstore.DeploymentGenerator MANIFEST OUTPUT-DIRECTORY: Aspire manifest in, Kustomize tree and Compose file out.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Bookstore.DeploymentGenerator <aspire-manifest.json> <output directory>");
    return 2;
}

try
{
    DeploymentGenerator.Write(args[0], args[1]);
    Console.WriteLine($"Wrote the Kustomize tree and docker-compose.yaml of {args[0]} to {args[1]}.");
    return 0;
}
catch (Exception exception) when (exception is ManifestException or IOException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

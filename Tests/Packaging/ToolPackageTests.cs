using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Packaging;

/// <summary>
/// The akcache tool as an operator gets it (docs/cli.md): AkCache.Cli packed into a local folder,
/// installed with <c>dotnet tool install --tool-path</c> from there, and run as a program of its own
/// against a real Redis (each command); the package carries the license, readme and icon and no path
/// of this machine, and its symbols package the PDBs.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly PackingFolder _folder = new("akcache-tool-");
    private readonly RedisTestServer _server = RedisTestServer.Start();

    private string RootFolder => _folder.Root;

    public void Dispose()
    {
        _server.Dispose();
        _folder.Dispose();
    }

    /// <summary>The folder's environment, without a Redis URL of the machine's: the tool is given --url.</summary>
    private Dictionary<string, string?> Environment()
    {
        var environment = _folder.Environment();
        environment["AKCACHE_REDIS_URL"] = null;
        environment["REDIS_URL"] = null;
        return environment;
    }

    [Fact]
    public void The_tool_is_packed_installed_from_a_local_folder_and_runs_against_Redis()
    {
        var repository = ProcessRunner.RepositoryRoot();
        var feed = Path.Combine(RootFolder, "feed");
        var release = PackingFolder.ReleaseVersion(repository);
        var version = PackingFolder.TestVersion(repository);

        // docs/cli.md's pack command; --artifacts-path keeps this build's bin/obj out of the repository.
        var pack = ProcessRunner.Run(
            "dotnet",
            new[] { "pack", Path.Combine("AkCache.Cli", "AkCache.Cli.csproj"), "-c", "Release", "-o", feed, "-p:AkCacheVersion=" + version, "--artifacts-path", Path.Combine(RootFolder, "artifacts"), "-nodeReuse:false", "--disable-build-servers" },
            repository,
            Environment(),
            TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Path.Combine(feed, $"AkCache.Cli.{version}.nupkg");
        Assert.True(File.Exists(package), pack.ToString());

        using (var zip = ZipFile.OpenRead(package))
        {
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.Equal("icon.png", Field("icon"));
            Assert.Contains(metadata.Elements().Single(e => e.Name.LocalName == "packageTypes").Elements(), t => (string?)t.Attribute("name") == "DotnetTool");
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/akcache.dll", StringComparison.Ordinal));
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/AkCache.Runtime.dll", StringComparison.Ordinal));

            var found = PackingFolder.FilesNaming(zip, new[] { repository, RootFolder });
            Assert.True(found.Count == 0, string.Join("\n", found));
        }

        // The symbols package: the PDBs of the tool and of the runtime it carries, their paths mapped.
        using (var symbols = ZipFile.OpenRead(Path.ChangeExtension(package, ".snupkg")))
        {
            var pdbs = symbols.Entries.Where(e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal)).ToList();
            Assert.Contains(pdbs, e => e.FullName.EndsWith("/akcache.pdb", StringComparison.Ordinal));
            Assert.Contains(pdbs, e => e.FullName.EndsWith("/AkCache.Runtime.pdb", StringComparison.Ordinal));
            foreach (var entry in pdbs)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                Assert.True(copy.ToArray().AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(repository).TrimEnd(Path.DirectorySeparatorChar))) < 0, $"{entry.FullName} names the repository's folder");
            }
        }

        var tools = Path.Combine(RootFolder, "tools");
        var install = ProcessRunner.Run("dotnet", new[] { "tool", "install", "--tool-path", tools, "AkCache.Cli", "--version", version, "--add-source", feed }, RootFolder, Environment(), TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, install.ToString());
        var akcache = Path.Combine(tools, OperatingSystem.IsWindows() ? "akcache.exe" : "akcache");
        Assert.True(File.Exists(akcache), install.ToString());

        var shown = ProcessRunner.Run(akcache, new[] { "--version" }, RootFolder, Environment(), TimeSpan.FromMinutes(1));
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains(release, shown.Output);

        // Every command against the server, on a value stored as AkCache stores it (an envelope under a key of its layout).
        var prefix = "tool" + Guid.NewGuid().ToString("N").Substring(0, 8);
        ProcessRunner.Result Akcache(params string[] args) =>
            ProcessRunner.Run(akcache, args.Concat(new[] { "--url", _server.Url, "--prefix", prefix }).ToArray(), RootFolder, Environment(), TimeSpan.FromMinutes(1));

        var empty = Akcache("stats", "--json");
        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.Equal(0, JsonDocument.Parse(empty.Output).RootElement.GetProperty("total").GetProperty("keys").GetInt64());

        const string method = "Pricing.Quotes.Last(System.String)";
        var key = $"{prefix}:{method}:v2.0123abcd:{{0123456789abcdef0123456789abcdef}}";
        using (var redis = StackExchange.Redis.ConnectionMultiplexer.Connect(_server.Endpoint))
        {
            var envelope = AkCache.Internals.Serialization.ValueSerializer.Serialize("603.5", DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(), default);
            redis.GetDatabase().StringSet(key, envelope, TimeSpan.FromMinutes(5));
        }

        var stats = Akcache("stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(method, JsonDocument.Parse(stats.Output).RootElement.GetProperty("methods")[0].GetProperty("method").GetString());
        var listed = Akcache("ls", "Pricing.Quotes.Last", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(key, JsonDocument.Parse(listed.Output).RootElement.GetProperty("entries")[0].GetProperty("key").GetString());
        var got = Akcache("get", key);
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Equal("603.5", JsonDocument.Parse(got.Output).RootElement.GetProperty("value").GetString());

        Assert.Equal(3, Akcache("get", prefix + ":nothing").ExitCode);
        Assert.Equal(2, ProcessRunner.Run(akcache, new[] { "clear", "--url", _server.Url }, RootFolder, Environment(), TimeSpan.FromMinutes(1)).ExitCode);

        // With --prefix, clear means every entry under it: asked first, and with nobody to answer, nothing goes.
        Assert.Equal(5, Akcache("clear").ExitCode);
        Assert.Equal(0, Akcache("get", key).ExitCode);
        var cleared = Akcache("clear", "--method", method, "--yes", "--json");
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        Assert.Equal(1, JsonDocument.Parse(cleared.Output).RootElement.GetProperty("deleted").GetInt64());
        Assert.Equal(3, Akcache("get", key).ExitCode);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Packaging;

/// <summary>
/// AkCache.Fody.nupkg as users get it: packed with the command of docs/packaging.md, then added to
/// brand-new projects from a local folder feed exactly as the README's install section says, built
/// in Release, and run as separate processes against a real Redis.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.LocalFeed>, IDisposable
{
    private const string WeaverFilesInclude = @"$(MSBuildThisFileDirectory)..\weaver\$(MSBuildThisFileName).dll";

    private readonly LocalFeed _feed;
    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly string _prefix = "pkg" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public PackageTests(LocalFeed feed, Xunit.Abstractions.ITestOutputHelper output)
    {
        _feed = feed;
        output.WriteLine($"server: {_server}");
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Package_follows_Fodys_addin_layout()
    {
        using var package = ZipFile.OpenRead(_feed.Package);
        var files = package.Entries.Select(e => e.FullName)
            .Where(name => !name.StartsWith("_rels/", StringComparison.Ordinal) && !name.StartsWith("package/", StringComparison.Ordinal))
            .Where(name => name != "[Content_Types].xml" && name != "AkCache.Fody.nuspec")
            .OrderBy(name => name, StringComparer.Ordinal);

        Assert.Equal(
            new[]
            {
                "README.md",
                "build/AkCache.Fody.props",
                "icon.png",
                "lib/net8.0/AkCache.Runtime.dll",
                "lib/netstandard2.0/AkCache.Runtime.dll",
                "ref/net8.0/AkCache.Attributes.dll",
                "ref/net8.0/AkCache.Attributes.xml",
                "ref/net8.0/AkCache.Runtime.dll",
                "ref/net8.0/AkCache.Runtime.xml",
                "ref/netstandard2.0/AkCache.Attributes.dll",
                "ref/netstandard2.0/AkCache.Attributes.xml",
                "ref/netstandard2.0/AkCache.Runtime.dll",
                "ref/netstandard2.0/AkCache.Runtime.xml",
                "weaver/AkCache.Fody.dll",
                "weaver/AkCache.Fody.xcf",
            },
            files);

        var props = XDocument.Load(package.GetEntry("build/AkCache.Fody.props")!.Open());
        var weaverFiles = Assert.Single(props.Descendants("WeaverFiles"));
        Assert.Equal(WeaverFilesInclude, (string?)weaverFiles.Attribute("Include"));

        // ref/ is what consumers compile against and lib/ what they run with: the runtime in both must be one build.
        Assert.Equal(EntryBytes(package, "ref/netstandard2.0/AkCache.Runtime.dll"), EntryBytes(package, "lib/netstandard2.0/AkCache.Runtime.dll"));
        Assert.Equal(EntryBytes(package, "ref/net8.0/AkCache.Runtime.dll"), EntryBytes(package, "lib/net8.0/AkCache.Runtime.dll"));
        Assert.NotEqual(EntryBytes(package, "lib/netstandard2.0/AkCache.Runtime.dll"), EntryBytes(package, "lib/net8.0/AkCache.Runtime.dll"));

        // One attributes assembly for both: it is netstandard2.0 only.
        Assert.Equal(EntryBytes(package, "ref/netstandard2.0/AkCache.Attributes.dll"), EntryBytes(package, "ref/net8.0/AkCache.Attributes.dll"));
    }

    /// <summary>
    /// The package's license (the MIT expression, and the LICENSE file it names), its readme (the
    /// repository's README.md), its icon (a PNG), and no path of the building machine in any file: not
    /// the repository's folder nor the folder the build wrote to, in UTF-8 or UTF-16 (the PDB path a DLL
    /// records is mapped to /_/).
    /// </summary>
    [Fact]
    public void Package_carries_its_license_readme_and_icon_and_no_path_of_the_building_machine()
    {
        using var package = ZipFile.OpenRead(_feed.Package);
        var nuspec = XDocument.Load(package.GetEntry("AkCache.Fody.nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(ProcessRunner.RepositoryRoot(), "LICENSE")), StringComparison.Ordinal);
        Assert.Equal("README.md", Field("readme"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(ProcessRunner.RepositoryRoot(), "README.md")), EntryBytes(package, "README.md"));
        Assert.Equal("icon.png", Field("icon"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, EntryBytes(package, "icon.png").Take(4).ToArray());

        var found = PackingFolder.FilesNaming(package, new[] { ProcessRunner.RepositoryRoot(), _feed.BuildFolder });
        Assert.True(found.Count == 0, string.Join("\n", found));
        Assert.True(Contains(EntryBytes(package, "lib/net8.0/AkCache.Runtime.dll"), System.Text.Encoding.UTF8.GetBytes("/_/")), "the runtime's PDB path is mapped to /_/");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public void Symbols_package_holds_the_matching_pdb_of_every_runtime_dll_and_no_path_of_the_building_machine()
    {
        var symbols = Path.ChangeExtension(_feed.Package, ".snupkg");
        Assert.True(File.Exists(symbols), $"{symbols} was not created");
        using var package = ZipFile.OpenRead(_feed.Package);
        using var symbolPackage = ZipFile.OpenRead(symbols);
        var nuspec = XDocument.Load(symbolPackage.GetEntry("AkCache.Fody.nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("AkCache.Fody", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
        Assert.Equal(_feed.Version, metadata.Elements().Single(e => e.Name.LocalName == "version").Value);
        Assert.Contains(metadata.Descendants().Where(e => e.Name.LocalName == "packageType"), t => (string?)t.Attribute("name") == "SymbolsPackage");

        // Nothing but PDBs (and the package's own parts), and none in the package itself.
        var files = symbolPackage.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal) && n != "[Content_Types].xml" && n != "AkCache.Fody.nuspec").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "lib/net8.0/AkCache.Runtime.pdb", "lib/netstandard2.0/AkCache.Runtime.pdb" }, files);
        Assert.DoesNotContain(package.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));

        var machinePaths = new[] { ProcessRunner.RepositoryRoot(), _feed.BuildFolder }.Select(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar)).ToArray();
        foreach (var pdb in files)
        {
            // The PDB is the DLL's own: its ID is the one the DLL's debug directory names.
            var dll = EntryBytes(package, Path.ChangeExtension(pdb, ".dll"));
            using var pe = new PEReader(new MemoryStream(dll));
            var codeView = pe.ReadCodeViewDebugDirectoryData(pe.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.CodeView));
            var pdbBytes = EntryBytes(symbolPackage, pdb);
            using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdbBytes));
            var id = provider.GetMetadataReader().DebugMetadataHeader!.Id;
            Assert.Equal(codeView.Guid.ToByteArray(), id.Take(16).ToArray());
            Assert.Equal("/_/", codeView.Path[..3]);

            foreach (var path in machinePaths)
            {
                Assert.False(Contains(pdbBytes, System.Text.Encoding.UTF8.GetBytes(path)), $"{pdb} names {path}");
            }
        }
    }

    [Fact]
    public void Package_depends_on_Fody_with_its_build_step_and_on_what_the_runtime_needs()
    {
        var nuspec = Nuspec();
        var ns = nuspec.Root!.Name.Namespace;
        Assert.Equal(_feed.Version, nuspec.Root.Element(ns + "metadata")!.Element(ns + "version")!.Value);

        var group = Assert.Single(nuspec.Descendants(ns + "group"));
        Assert.Equal(".NETStandard2.0", (string?)group.Attribute("targetFramework"));
        var dependencies = group.Elements(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, StringComparer.Ordinal);
        var centralVersions = CentralPackageVersions();

        // Fody's own addins declare Fody with PrivateAssets=None: without its build assets nothing weaves.
        var fody = dependencies["Fody"];
        Assert.Equal(centralVersions["Fody"], (string?)fody.Attribute("version"));
        Assert.Equal("All", (string?)fody.Attribute("include"));
        Assert.Null(fody.Attribute("exclude"));

        var runtimePackages = RuntimePackageReferences();
        Assert.Equal(runtimePackages.OrderBy(p => p, StringComparer.Ordinal), dependencies.Keys.Where(id => id != "Fody").OrderBy(id => id, StringComparer.Ordinal));
        foreach (var id in runtimePackages)
        {
            Assert.True(centralVersions[id] == (string?)dependencies[id].Attribute("version"), $"{id}: the package declares {dependencies[id].Attribute("version")}, the runtime builds against {centralVersions[id]}");
        }
    }

    [Fact]
    public void A_new_console_project_is_woven_and_a_second_process_reuses_the_first_ones_results()
    {
        var folder = _feed.NewConsumerFolder("console");
        _feed.Dotnet(folder, "new", "console", "-o", "App");
        var project = Path.Combine(folder, "App");
        _feed.Dotnet(project, "add", "package", "AkCache.Fody", "--version", _feed.Version);
        File.WriteAllText(Path.Combine(project, "FodyWeavers.xml"), LocalFeed.FodyWeaversXml);
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using AkCache;

            Console.WriteLine($"results {Numbers.Square(12)} {Numbers.Square(12)} {Numbers.Square(13)}");
            Console.WriteLine($"computations {Numbers.Computations}");

            static class Numbers
            {
                public static int Computations;

                [Memoize]
                public static int Square(int x)
                {
                    Computations++;
                    return x * x;
                }
            }
            """);

        var build = _feed.Dotnet(project, "build", "-c", "Release", "-nodeReuse:false", "--disable-build-servers");

        Assert.Contains("AkCache: memoized 1 method in App", build.Output);

        // Fody merges the package's AkCache.Fody.xcf into the schema it writes, so editors complete <AkCache /> settings.
        var schema = File.ReadAllText(Path.Combine(project, "FodyWeavers.xsd"));
        Assert.Contains("name=\"MaxAgeSeconds\"", schema);
        Assert.Contains("name=\"AutomaticVersions\"", schema);
        var output = Path.Combine(project, "bin", "Release", "net10.0");
        var references = AssemblyReferences(Path.Combine(output, "App.dll"));
        Assert.Contains("AkCache.Runtime", references);
        Assert.DoesNotContain("AkCache.Attributes", references);
        AssertHasRuntimeButNoAttributes(output, "App");

        var publish = _feed.Dotnet(project, "publish", "-c", "Release", "-o", "published", "-nodeReuse:false", "--disable-build-servers");
        var published = Path.Combine(project, "published");
        AssertHasRuntimeButNoAttributes(published, "App");

        // The second process runs the published copy: what ships runs, and it finds the first one's results.
        var first = Run(output, "App.dll");
        var second = Run(published, "App.dll");
        Assert.Equal(new[] { "results 144 144 169", "computations 2" }, first);
        Assert.Equal(new[] { "results 144 144 169", "computations 0" }, second);

        AssertNoWarnings(build);
        AssertNoWarnings(publish);
    }

    [Fact]
    public void An_application_gets_the_runtime_through_a_library_that_uses_AkCache()
    {
        var folder = _feed.NewConsumerFolder("library");
        _feed.Dotnet(folder, "new", "classlib", "-o", "Lib");
        _feed.Dotnet(folder, "new", "console", "-o", "Host");
        var library = Path.Combine(folder, "Lib");
        var host = Path.Combine(folder, "Host");
        File.Delete(Path.Combine(library, "Class1.cs"));
        _feed.Dotnet(library, "add", "package", "AkCache.Fody", "--version", _feed.Version);
        File.WriteAllText(Path.Combine(library, "FodyWeavers.xml"), LocalFeed.FodyWeaversXml);
        File.WriteAllText(Path.Combine(library, "Quotes.cs"), """
            using AkCache;

            namespace Lib;

            public static class Quotes
            {
                public static int Computations;

                [Memoize]
                public static string Quote(string symbol, int days)
                {
                    Computations++;
                    return $"{symbol}:{days * 10}";
                }
            }
            """);
        _feed.Dotnet(host, "add", "reference", Path.Combine("..", "Lib", "Lib.csproj"));
        File.WriteAllText(Path.Combine(host, "Program.cs"), """
            Console.WriteLine($"results {Lib.Quotes.Quote("ABC", 3)} {Lib.Quotes.Quote("ABC", 3)} {Lib.Quotes.Quote("XYZ", 1)}");
            Console.WriteLine($"computations {Lib.Quotes.Computations}");
            """);

        var build = _feed.Dotnet(host, "build", "-c", "Release", "-nodeReuse:false", "--disable-build-servers");

        Assert.Contains("AkCache: memoized 1 method in Lib", build.Output);
        var output = Path.Combine(host, "bin", "Release", "net10.0");
        foreach (var runtimeFile in new[] { "AkCache.Runtime.dll", "StackExchange.Redis.dll", "MessagePack.dll", "System.IO.Hashing.dll" })
        {
            Assert.True(File.Exists(Path.Combine(output, runtimeFile)), $"{runtimeFile} did not reach the application's output {output}");
        }

        Assert.DoesNotContain("AkCache.Attributes", AssemblyReferences(Path.Combine(output, "Lib.dll")));
        AssertHasRuntimeButNoAttributes(output, "Host");

        var first = Run(output, "Host.dll");
        var second = Run(output, "Host.dll");
        Assert.Equal(new[] { "results ABC:30 ABC:30 XYZ:10", "computations 2" }, first);
        Assert.Equal(new[] { "results ABC:30 ABC:30 XYZ:10", "computations 0" }, second);

        AssertNoWarnings(build);
    }

    private string[] Run(string directory, string dll)
    {
        var run = ProcessRunner.Run(
            "dotnet",
            new[] { dll },
            directory,
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url, ["AKCACHE_PREFIX"] = _prefix },
            TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// AkCache.Attributes is needed only to compile: the application's folder and its deps.json must name
    /// AkCache.Runtime and never the attributes assembly.
    /// </summary>
    private static void AssertHasRuntimeButNoAttributes(string directory, string application)
    {
        var files = Directory.GetFiles(directory).Select(Path.GetFileName).ToList();
        Assert.Contains("AkCache.Runtime.dll", files);
        Assert.False(files.Any(f => f!.StartsWith("AkCache.Attributes", StringComparison.OrdinalIgnoreCase)), $"AkCache.Attributes reached {directory}: {string.Join(", ", files)}");

        var deps = File.ReadAllText(Path.Combine(directory, application + ".deps.json"));
        // The application targets .NET 8 or later: it runs with the runtime's net8.0 build.
        Assert.Contains("lib/net8.0/AkCache.Runtime.dll", deps);
        Assert.DoesNotContain("AkCache.Attributes", deps);
    }

    private static byte[] EntryBytes(ZipArchive package, string name)
    {
        using var entry = package.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        entry.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A consumer building with TreatWarningsAsErrors would fail on any warning the package causes.</summary>
    private static void AssertNoWarnings(ProcessRunner.Result build)
    {
        var warnings = build.Output.Split('\n').Where(line => Regex.IsMatch(line, @"\bwarning\b")).Distinct().ToList();
        Assert.True(warnings.Count == 0, "The consumer's build warns:\n" + string.Join("\n", warnings));
    }

    private XDocument Nuspec()
    {
        using var package = ZipFile.OpenRead(_feed.Package);
        using var stream = package.GetEntry("AkCache.Fody.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    private static Dictionary<string, string> CentralPackageVersions() =>
        XDocument.Load(Path.Combine(ProcessRunner.RepositoryRoot(), "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.Ordinal);

    private static List<string> RuntimePackageReferences() =>
        XDocument.Load(Path.Combine(ProcessRunner.RepositoryRoot(), "AkCache.Runtime", "AkCache.Runtime.csproj"))
            .Descendants("PackageReference")
            .Where(p => !string.Equals((string?)p.Attribute("PrivateAssets"), "All", StringComparison.OrdinalIgnoreCase))
            .Select(p => (string)p.Attribute("Include")!)
            .ToList();

    private static List<string> AssemblyReferences(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
    }

    /// <summary>
    /// Packs AkCache.Fody once for the class into a local folder feed, with a version of its own so that
    /// no NuGet cache can serve an older build, and gives consumers a nuget.config naming that feed
    /// and a global packages folder of their own.
    /// </summary>
    public sealed class LocalFeed : IDisposable
    {
        public const string FodyWeaversXml = """
            <Weavers>
              <AkCache />
            </Weavers>

            """;

        private readonly PackingFolder _folder = new("akcache-package-");

        public LocalFeed()
        {
            var repository = ProcessRunner.RepositoryRoot();
            Folder = Path.Combine(RootFolder, "feed");
            Version = PackingFolder.TestVersion(repository);

            // docs/packaging.md's command; --artifacts-path keeps this build's bin/obj out of the repository.
            var pack = ProcessRunner.Run(
                "dotnet",
                new[]
                {
                    "pack", Path.Combine("AkCache.Fody", "AkCache.Fody.csproj"), "-c", "Release", "-o", Folder,
                    "-p:AkCacheVersion=" + Version,
                    "--artifacts-path", Path.Combine(RootFolder, "artifacts"), "-nodeReuse:false", "--disable-build-servers",
                },
                repository,
                Environment(),
                TimeSpan.FromMinutes(5));
            Assert.True(pack.ExitCode == 0, pack.ToString());
            Package = Path.Combine(Folder, $"AkCache.Fody.{Version}.nupkg");
            Assert.True(File.Exists(Package), $"{Package} was not created.\n{pack}");

            // No <clear />: the machine's own sources still serve Fody, StackExchange.Redis and the rest.
            File.WriteAllText(Path.Combine(RootFolder, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="akcache-local" value="{Folder}" />
                  </packageSources>
                </configuration>

                """);
        }

        /// <summary>The local folder feed.</summary>
        public string Folder { get; }

        /// <summary>The folder this build wrote to (its artifacts and the feed), a path of this machine that no shipped file may name.</summary>
        public string BuildFolder => RootFolder;

        /// <summary>AkCacheVersion of Directory.Build.props with a prerelease label unique to this run.</summary>
        public string Version { get; }

        public string Package { get; }

        /// <summary>A new folder under the one holding nuget.config, where NuGet finds that config.</summary>
        public string NewConsumerFolder(string name) => Directory.CreateDirectory(Path.Combine(RootFolder, name)).FullName;

        /// <summary>Runs a dotnet command in <paramref name="directory"/> and asserts it succeeded.</summary>
        public ProcessRunner.Result Dotnet(string directory, params string[] arguments)
        {
            var run = ProcessRunner.Run("dotnet", arguments, directory, Environment(), TimeSpan.FromMinutes(5));
            Assert.True(run.ExitCode == 0, $"dotnet {string.Join(" ", arguments)} (in {directory})\n{run}");
            return run;
        }

        private string RootFolder => _folder.Root;

        public void Dispose() => _folder.Dispose();

        private Dictionary<string, string?> Environment() => _folder.Environment();
    }
}

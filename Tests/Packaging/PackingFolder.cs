using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using AkCache.Tests.Support;

namespace AkCache.Tests.Packaging;

/// <summary>
/// What the packaging tests share: a temporary folder of their own (deleted at the end), the
/// environment of its dotnet commands (a global packages folder of its own), a version no NuGet
/// cache can serve an older build of, and the search of a package for paths of this machine.
/// </summary>
public sealed class PackingFolder : IDisposable
{
    public PackingFolder(string name) => Root = Directory.CreateTempSubdirectory(name).FullName;

    public string Root { get; }

    /// <summary>The environment of the dotnet commands run here: NuGet's packages folder is this folder's own.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    /// <summary>AkCacheVersion of Directory.Build.props without its label.</summary>
    public static string ReleaseVersion(string repository) =>
        XDocument.Load(Path.Combine(repository, "Directory.Build.props")).Descendants("AkCacheVersion").First().Value.Split('-', '+')[0];

    /// <summary><see cref="ReleaseVersion"/> with a prerelease label unique to this run.</summary>
    public static string TestVersion(string repository) =>
        ReleaseVersion(repository) + "-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    /// <summary>"entry names path" for each file of <paramref name="package"/> that holds one of <paramref name="paths"/>, in UTF-8 or UTF-16.</summary>
    public static List<string> FilesNaming(ZipArchive package, IEnumerable<string> paths)
    {
        var machinePaths = paths.Select(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar)).ToArray();
        var found = new List<string>();
        foreach (var entry in package.Entries.Where(e => e.Length > 0))
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            foreach (var path in machinePaths)
            {
                if (bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(path)) >= 0 || bytes.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(path)) >= 0)
                {
                    found.Add($"{entry.FullName} names {path}");
                }
            }
        }

        return found;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

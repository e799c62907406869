using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using AkCache.Tests.Support;
using ICSharpCode.Decompiler;
using ICSharpCode.Decompiler.CSharp;
using ICSharpCode.Decompiler.Metadata;
using ICSharpCode.Decompiler.TypeSystem;
using Xunit;

namespace AkCache.Tests.Snapshots;

/// <summary>
/// The woven code of every shape, decompiled to C# and compared with the expected file checked in
/// under Snapshots/Expected/{Configuration}/. Linux has no PEVerify: reading what the weaver really
/// emitted, stub by stub, is how odd IL gets noticed, and the diff shows every change to it.
/// </summary>
public sealed class WovenSnapshotTests
{
    private const string AcceptVariable = "AKCACHE_ACCEPT_SNAPSHOTS";

    /// <summary>
    /// Top-level types of AssemblyToProcess that hold woven methods; a nested woven type
    /// (Outer+Inner, Service+Helpers) is snapshotted inside its outer type, so the nesting shows.
    /// </summary>
    private static readonly string[] WovenTypes =
    {
        "ArgumentShapes", "AsyncShapes", "Basic", "Catalog", "Concurrency", "Exceptions", "GatedShapes", "GenericHolder`1", "LargeValues", "LocalShapes", "GenericShapes", "OverloadHolder`1",
        "NullAndDefaultResults", "Observed", "Outer", "Overloads", "ParameterShapes", "Recursion", "ReturnShapes", "Serializers", "Service", "TimeToLive",
    };

    // MemoizedMethod.Create("identity", "0123abcd", maxAgeSeconds): the version argument when it is a computed hash.
    private static readonly Regex AutomaticVersion = new("(MemoizedMethod\\.Create\\(\"(?:[^\"\\\\]|\\\\.)*\", )\"[0-9a-f]{8}\"", RegexOptions.CultureInvariant);

    private static readonly ConcurrentDictionary<string, CSharpDecompiler> Decompilers = new();

    public static TheoryData<string, string> Shapes()
    {
        var data = new TheoryData<string, string>();
        foreach (var configuration in new[] { "Debug", "Release" })
        {
            foreach (var type in WovenTypes)
            {
                data.Add(configuration, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Woven_type_decompiles_to_the_expected_CSharp(string configuration, string typeName)
    {
        var received = Decompile(configuration, typeName);
        var folder = Path.Combine(ProcessRunner.RepositoryRoot(), "Tests", "Snapshots", "Expected", configuration);
        var fileName = typeName.Replace('`', '_');
        var expectedPath = Path.Combine(folder, fileName + ".cs");
        var receivedPath = Path.Combine(folder, fileName + ".received.cs");
        var expected = File.Exists(expectedPath) ? Normalize(File.ReadAllText(expectedPath)) : null;

        var accept = Environment.GetEnvironmentVariable(AcceptVariable);
        Assert.False(
            !string.IsNullOrEmpty(accept) && Infrastructure.RedisTestServer.RequireRealRedis,
            $"{AcceptVariable} is set in CI: CI compares with the committed snapshots and never rewrites them.");
        if (accept == "1")
        {
            Directory.CreateDirectory(folder);
            if (expected != received)
            {
                File.WriteAllText(expectedPath, received);
            }

            File.Delete(receivedPath);
            return;
        }

        if (expected == received)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(receivedPath, received);
        var root = ProcessRunner.RepositoryRoot();
        var relativeExpected = Path.GetRelativePath(root, expectedPath);
        var relativeReceived = Path.GetRelativePath(root, receivedPath);
        var change = expected is null
            ? $"{relativeExpected} does not exist yet; the woven {typeName} ({configuration}) was written to {relativeReceived}.\n"
            : $"The woven {typeName} ({configuration}) differs from {relativeExpected} ('-' expected, '+' received):\n\n{ShortDiff(expected, received)}\n";
        Assert.Fail(
            change +
            $"If the change is intended: review, then rename .received.cs to .cs, or run with {AcceptVariable}=1:\n" +
            $"  mv {relativeReceived} {relativeExpected}");
    }

    [Fact]
    public void Every_woven_type_has_a_snapshot()
    {
        var woven = Woven.Release.Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly).Any(m => m.Name.EndsWith("$Original", StringComparison.Ordinal)))
            .Select(Outermost)
            .Select(t => t.FullName!.Substring("AssemblyToProcess.".Length))
            .Distinct()
            .OrderBy(n => n, StringComparer.Ordinal);

        Assert.Equal(woven, WovenTypes.OrderBy(n => n, StringComparer.Ordinal));
    }

    private static Type Outermost(Type type) => type.DeclaringType is null ? type : Outermost(type.DeclaringType);

    private static string Decompile(string configuration, string typeName)
    {
        var decompiler = Decompilers.GetOrAdd(configuration, CreateDecompiler);
        var code = decompiler.DecompileTypeAsString(new FullTypeName("AssemblyToProcess." + typeName));
        return Normalize(code.Replace("AssemblyToProcess" + configuration, "AssemblyToProcess", StringComparison.Ordinal));
    }

    private static CSharpDecompiler CreateDecompiler(string configuration)
    {
        var path = Woven.For(configuration).Result.AssemblyPath;

        // The whole image is read into memory, so no file stays open (Fody rewrites these files on the next run).
        var file = new PEFile(path, PEStreamOptions.PrefetchEntireImage);

        // AkCache.Runtime.dll sits in the test output folder; the framework comes from the runtime the
        // woven file targets. An unresolved reference would silently degrade the output (casts, missing
        // overloads), so it is an error.
        var resolver = new UniversalAssemblyResolver(path, throwOnError: true, file.DetectTargetFrameworkId(), null, PEStreamOptions.PrefetchEntireImage, MetadataReaderOptions.None);
        resolver.AddSearchDirectory(AppContext.BaseDirectory);

        // Pinned language version: the package's "latest" moves with upgrades, and the snapshots must
        // change only when the woven IL does.
        var settings = new DecompilerSettings(LanguageVersion.CSharp14_0)
        {
            ThrowOnAssemblyResolveErrors = true,

            // Names come from the IL alone, not from the PDBs next to the woven files, so that Debug
            // and Release differ only where their IL does.
            UseDebugSymbols = false,
            ShowXmlDocumentation = false,

            // Attribute order in metadata carries no meaning; sorting keeps a reordering in the weaver out of the diffs.
            SortCustomAttributes = true,

            // Like the repository's own sources.
            FileScopedNamespaces = true,

            // Off: with it on, ILSpy takes the weaver's [CompilerGenerated] Name$Invoke for a lambda,
            // inlines it into the stub, hides the method and folds away the "<AkCache>Name$Body1" cache
            // field, which is exactly the woven code these snapshots are for. The price: a lambda in a
            // user's own body shows as its display class.
            AnonymousMethods = false,

            // Left at their defaults, on purpose: AsyncAwait, so that an async Name$Original reads as
            // the async method it still is (the weaver leaves state machines alone; a broken link to one
            // would show as a raw state machine type). With AnonymousMethods off, nothing the weaver adds
            // is hidden: the "<AkCache>Name$Method0" fields, Name$Invoke and their [CompilerGenerated]
            // stay visible, and '$' in names is printed as is.
        };
        // Spaces, as .editorconfig asks of every .cs file, the expected files included.
        settings.CSharpFormattingOptions.IndentationString = "    ";

        return new CSharpDecompiler(file, resolver, settings);
    }

    /// <summary>
    /// What may differ between machines without the woven code differing: line endings, trailing
    /// blanks, and the automatic key version, a hash of the compiler's exact IL (KeyVersionTests pin
    /// how it behaves) that changes with every compiler update though nothing woven does.
    /// </summary>
    private static string Normalize(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd());
        var text = string.Join("\n", lines).Trim('\n') + "\n";
        return AutomaticVersion.Replace(text, "$1\"<il-hash>\"");
    }

    /// <summary>Changed lines with two lines of context, at most 60 lines: enough to see what moved.</summary>
    private static string ShortDiff(string expected, string received)
    {
        const int context = 2;
        const int maxLines = 60;
        var before = expected.TrimEnd('\n').Split('\n');
        var after = received.TrimEnd('\n').Split('\n');

        // Longest common subsequence over lines; a snapshot is a few hundred lines at most.
        var common = new int[before.Length + 1, after.Length + 1];
        for (var i = before.Length - 1; i >= 0; i--)
        {
            for (var j = after.Length - 1; j >= 0; j--)
            {
                common[i, j] = before[i] == after[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var edits = new List<(char Kind, string Line)>();
        int x = 0, y = 0;
        while (x < before.Length || y < after.Length)
        {
            if (x < before.Length && y < after.Length && before[x] == after[y])
            {
                edits.Add((' ', before[x++]));
                y++;
            }
            else if (x < before.Length && (y == after.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                edits.Add(('-', before[x++]));
            }
            else
            {
                edits.Add(('+', after[y++]));
            }
        }

        var text = new StringBuilder();
        var shown = 0;
        var last = -1;
        for (var k = 0; k < edits.Count; k++)
        {
            var near = Enumerable.Range(Math.Max(0, k - context), Math.Min(edits.Count, k + context + 1) - Math.Max(0, k - context)).Any(d => edits[d].Kind != ' ');
            if (!near)
            {
                continue;
            }

            if (shown == maxLines)
            {
                text.Append($"  ... ({edits.Count(e => e.Kind != ' ')} changed lines in all)\n");
                break;
            }

            if (last >= 0 && k > last + 1)
            {
                text.Append("@@\n");
            }

            text.Append(edits[k].Kind).Append(' ').Append(edits[k].Line).Append('\n');
            last = k;
            shown++;
        }

        return text.ToString();
    }
}

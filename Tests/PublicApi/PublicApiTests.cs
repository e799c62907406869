using System;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using AkCache.CompilerServices;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.PublicApi;

/// <summary>
/// The public surface of the two assemblies consumers compile against is tracked: it is rendered to
/// text and compared with the approved file checked in next to this test, so that no change to it
/// goes unnoticed. An intended change is approved by replacing the approved file with the received one.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> ShippedAssemblies => new() { "AkCache.Attributes", "AkCache.Runtime" };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Public_API_matches_the_approved_file(string assemblyName)
    {
        var received = PublicApiRenderer.Render(Load(assemblyName));
        var folder = Path.Combine(ProcessRunner.RepositoryRoot(), "Tests", "PublicApi");
        var approvedPath = Path.Combine(folder, assemblyName + ".approved.txt");
        var receivedPath = Path.Combine(folder, assemblyName + ".received.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n", StringComparison.Ordinal) : string.Empty;

        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        var relativeApproved = Path.GetRelativePath(ProcessRunner.RepositoryRoot(), approvedPath);
        var relativeReceived = Path.GetRelativePath(ProcessRunner.RepositoryRoot(), receivedPath);
        var change = File.Exists(approvedPath)
            ? $"The public API of {assemblyName} changed ('-' approved, '+' now):\n\n{LineDiff.Render(approved, received)}\n"
            : $"The public API of {assemblyName} has no approved file yet; it is now:\n\n{received}\n";
        Assert.Fail(
            change +
            $"If the change is intended, approve it and commit the approved file:\n" +
            $"  mv {relativeReceived} {relativeApproved}");
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Every_public_type_and_member_has_XML_docs(string assemblyName)
    {
        var assembly = Load(assemblyName);
        var docsPath = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(docsPath), $"{docsPath} is missing: {assemblyName}.csproj must set GenerateDocumentationFile.");
        var documented = XDocument.Load(docsPath).Descendants("member")
            .Where(m => m.Elements().Any(e => e.Name.LocalName is "summary" or "inheritdoc" && (e.Name.LocalName == "inheritdoc" || e.Value.Trim().Length > 0)))
            .Select(m => (string)m.Attribute("name")!)
            .ToHashSet(StringComparer.Ordinal);

        var undocumented = PublicApiRenderer.VisibleTypes(assembly)
            .SelectMany(type => PublicApiRenderer.VisibleMembers(type).Prepend(type))
            .Where(member => !IsImplicitConstructor(member))
            .Select(XmlDocId.Of)
            .Where(id => !documented.Contains(id))
            .ToList();

        Assert.True(undocumented.Count == 0, $"{assemblyName}: no <summary> (or <inheritdoc/>) for\n  " + string.Join("\n  ", undocumented));
    }

    [Fact]
    public void Every_public_type_in_CompilerServices_is_hidden_from_IntelliSense()
    {
        var visible = PublicApiRenderer.VisibleTypes(typeof(MemoizedMethod).Assembly)
            .Where(t => t.Namespace == typeof(MemoizedMethod).Namespace)
            .Where(t => t.GetCustomAttribute<EditorBrowsableAttribute>() is not { State: EditorBrowsableState.Never })
            .Select(t => t.FullName)
            .ToList();

        Assert.True(visible.Count == 0, "Woven code calls these, users should not: mark them [EditorBrowsable(EditorBrowsableState.Never)]:\n  " + string.Join("\n  ", visible));
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void No_public_type_lives_under_Internals(string assemblyName)
    {
        var exposed = PublicApiRenderer.VisibleTypes(Load(assemblyName))
            .Where(t => (t.Namespace ?? string.Empty).Split('.').Contains("Internals"))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(exposed.Count == 0, "Types under Internals/ are internal sealed:\n  " + string.Join("\n  ", exposed));
    }

    private static Assembly Load(string assemblyName) => assemblyName switch
    {
        "AkCache.Attributes" => typeof(MemoizeAttribute).Assembly,
        "AkCache.Runtime" => typeof(AkCacheRuntime).Assembly,
        _ => throw new ArgumentOutOfRangeException(nameof(assemblyName), assemblyName, null),
    };

    /// <summary>A class without constructors gets a public parameterless one from the compiler, with nothing to document.</summary>
    private static bool IsImplicitConstructor(MemberInfo member) =>
        member is ConstructorInfo { IsStatic: false } constructor && constructor.GetParameters().Length == 0;
}

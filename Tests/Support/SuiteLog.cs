using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AkCache.Tests.Support;

/// <summary>
/// Every line AkCache logged during the test run (through any <see cref="ListLoggerFactory"/>,
/// with the exception attached to an entry), and every line that a worker process or a tool run by
/// the tests wrote, for <see cref="Secrets.SecretScanTests"/>.
/// </summary>
public static class SuiteLog
{
    private static readonly ConcurrentQueue<string> Lines = new();

    public static int Count => Lines.Count;

    public static void Add(string line) => Lines.Enqueue(line);

    public static void AddText(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Lines.Enqueue(line);
        }
    }

    public static IReadOnlyList<string> Snapshot() => Lines.ToArray();
}

/// <summary>
/// The secrets the tests use: every string constant of the test assembly whose name says it is one
/// (Password, SigningKey, Secret in its name). A test that uses a secret names it so.
/// </summary>
public static class TestSecrets
{
    private static readonly Regex SecretName = new("password|signingkey|secret", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static IReadOnlyList<(string Name, string Value)> All() =>
        typeof(TestSecrets).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && SecretName.IsMatch(f.Name))
            .Select(f => (Name: f.DeclaringType!.Name + "." + f.Name, Value: (string)f.GetRawConstantValue()!))
            .Where(s => s.Value.Length >= 6)
            .ToArray();
}

using System;
using System.IO;
using System.Linq;
using AkCache.Fody;
using Fody;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>Each unsupported use is a build error that names the method, points at its line and says how to fix it.</summary>
public sealed class BuildErrorTests
{
    private static readonly Lazy<TestResult> Woven = new(() => new ModuleWeaver().ExecuteTestRun("AssemblyWithErrors.dll", runPeVerify: false));

    private static readonly string[] SourceLines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "AssemblyWithErrors", "Unsupported.cs"));

    [Theory]
    [InlineData("Instance", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Instance(int)': it is an instance method. Make it static, or remove [Memoize].")]
    [InlineData("ReturnsVoid", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsVoid(int)': it returns void, so there is nothing to cache. Return the value, or remove [Memoize].")]
    [InlineData("Async", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Async(int)': async and Task-returning methods are not supported yet. Memoize a synchronous helper that the async method calls, or remove [Memoize].")]
    [InlineData("ReturnsTask", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsTask(int)': async and Task-returning methods are not supported yet. Memoize a synchronous helper that the async method calls, or remove [Memoize].")]
    [InlineData("Generic", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Generic(T)': generic methods and methods of generic types are not supported yet. Memoize a non-generic overload, or remove [Memoize].")]
    [InlineData("InGenericType", "AkCache: cannot memoize 'AssemblyWithErrors.GenericHolder`1.InGenericType(int)': generic methods and methods of generic types are not supported yet. Memoize a non-generic overload, or remove [Memoize].")]
    [InlineData("RefParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.RefParameter(System.Int32&)': parameter 'a' is ref or out. Return every result through the return value, or remove [Memoize].")]
    [InlineData("OutParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.OutParameter(System.Int32&)': parameter 'a' is ref or out. Return every result through the return value, or remove [Memoize].")]
    [InlineData("Iterator", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Iterator(int)': it is an iterator (yield return), whose results are produced lazily. Return a materialized collection such as List<T> or an array, or remove [Memoize].")]
    [InlineData("NegativeMaxAge", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.NegativeMaxAge(int)': MaxAgeSeconds is -5. Use a positive number of seconds, or 0 for the configured default.")]
    [InlineData("SpanParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.SpanParameter(System.ReadOnlySpan`1<System.Int32>)': parameter 'a' is a pointer or ref struct (ReadOnlySpan`1), which cannot be part of a key. Pass an array or a string instead, or remove [Memoize].")]
    public void Unsupported_method_is_a_build_error_at_its_line(string method, string expected)
    {
        var error = Assert.Single(Woven.Value.Errors, e => e.Text.Contains($".{method}("));
        Assert.Equal(expected, error.Text);
        var expectedLine = Array.FindIndex(SourceLines, l => l.Contains($"// error: {method}")) + 1;
        Assert.NotNull(error.SequencePoint);
        Assert.Equal(expectedLine, error.SequencePoint!.StartLine);
        Assert.EndsWith("Unsupported.cs", error.SequencePoint.Document.Url);
    }

    [Fact]
    public void Every_unsupported_method_is_reported_and_none_is_woven()
    {
        Assert.Equal(11, Woven.Value.Errors.Count);
        Assert.Contains(Woven.Value.Messages, m => m.Text == "AkCache: memoized 0 methods in AssemblyWithErrors");
    }
}

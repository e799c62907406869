using System;
using System.IO;
using System.Linq;
using System.Reflection;
using AkCache.Fody;
using AkCache.Tests.Support;
using Fody;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>Each unsupported use is a build error that names the method, points at its line and says how to fix it.</summary>
public sealed class BuildErrorTests
{
    private static readonly Lazy<TestResult> Woven = new(() => new ModuleWeaver().ExecuteTestRun("AssemblyWithErrors.dll", runPeVerify: false));

    private static readonly string[] SourceLines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "AssemblyWithErrors", "Unsupported.cs"));

    private static readonly string[] ManagementLines = File.ReadAllLines(Path.Combine(ProcessRunner.RepositoryRoot(), "AssemblyWithErrors", "ManagementTargets.cs"));

    [Theory]
    [InlineData("Instance", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Instance(int)': it is an instance method, and its result may depend on the instance. Make it static, or remove [Memoize].")]
    [InlineData("ReturnsVoid", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsVoid(int)': it returns void, so there is nothing to cache. Return the value, or remove [Memoize].")]
    [InlineData("ReturnsTask", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsTask(int)': it returns Task without a result, so there is nothing to cache. Return Task<T> or ValueTask<T>, or remove [Memoize].")]
    [InlineData("ReturnsValueTask", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsValueTask(int)': it returns ValueTask without a result, so there is nothing to cache. Return Task<T> or ValueTask<T>, or remove [Memoize].")]
    [InlineData("RefParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.RefParameter(System.Int32&)': parameter 'a' is ref or out. Return every result through the return value, or remove [Memoize].")]
    [InlineData("OutParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.OutParameter(System.Int32&)': parameter 'a' is ref or out. Return every result through the return value, or remove [Memoize].")]
    [InlineData("Iterator", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Iterator(int)': it returns a lazily evaluated sequence (IEnumerable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("LazySequence", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.LazySequence(System.Collections.Generic.List`1<System.Int32>)': it returns a lazily evaluated sequence (IEnumerable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("Queryable", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Queryable(System.Collections.Generic.List`1<System.Int32>)': it returns a lazily evaluated sequence (IQueryable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("Ordered", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Ordered(System.Collections.Generic.List`1<System.Int32>)': it returns a lazily evaluated sequence (IOrderedEnumerable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("SequenceLater", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.SequenceLater(int)': it returns a lazily evaluated sequence (IEnumerable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("AsyncIterator", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.AsyncIterator(int)': it returns a lazily evaluated sequence (IAsyncEnumerable<Int32>), which is computed only when enumerated. Return a materialized collection such as List<T>, T[] or IReadOnlyList<T>, or remove [Memoize].")]
    [InlineData("NegativeMaxAge", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.NegativeMaxAge(int)': MaxAgeSeconds is -5. Use a positive number of seconds, or 0 for the configured default.")]
    [InlineData("BadVersion", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.BadVersion(int)': Version \"release 2\" is not allowed. Use 1 to 64 letters, digits, '.', '-' or '_'.")]
    [InlineData("SpanParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.SpanParameter(System.ReadOnlySpan`1<System.Int32>)': parameter 'a' is a pointer or ref struct (ReadOnlySpan<Int32>), which cannot be part of a key. Pass an array or a string instead, or remove [Memoize].")]
    [InlineData("ObjectParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ObjectParameter(object)': parameter 'a' is declared as object (Object), which has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("InterfaceParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.InterfaceParameter(System.IComparable)': parameter 'a' is an interface (IComparable), which has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("DelegateParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.DelegateParameter(System.Func`1<System.Int32>)': parameter 'a' is a delegate (Func<Int32>), which has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("StreamParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.StreamParameter(System.IO.MemoryStream)': parameter 'a' is a stream (MemoryStream), which has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("TaskParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.TaskParameter(System.Threading.Tasks.Task`1<System.Int32>)': parameter 'a' is a task (Task<Int32>), which has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("ReturnsCounter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsCounter(int)': its result type Func<Int32> is a delegate, which cannot be cached faithfully. Return data only, or remove [Memoize].")]
    [InlineData("ReturnsHolderOfDelegate", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsHolderOfDelegate(int)': its result type Holder cannot be cached faithfully: Holder.Callback is a delegate (Func<Int32>). Return data only, or remove [Memoize].")]
    [InlineData("ReturnsPendingWork", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsPendingWork(int)': its result type Work cannot be cached faithfully: Work.Pending holds Task<Int32>, a task. Return data only, or remove [Memoize].")]
    [InlineData("ReturnsStreams", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsStreams(int)': its result type List<Stream> cannot be cached faithfully: List<Stream> holds Stream, a stream. Return data only, or remove [Memoize].")]
    [InlineData("ReturnsPrices", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsPrices(int)': its result type Prices derives from List<Decimal>, whose private state cannot be cached faithfully. Hold the List<Decimal> in a field instead of deriving from it, or remove [Memoize].")]
    [InlineData("ReturnsFailure", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsFailure(int)': its result type Failure is an exception, which cannot be cached faithfully. Return data only, or remove [Memoize].")]
    [InlineData("ReturnsShape", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsShape(int)': its result type IShape is an interface with no [MessagePack.Union] subtypes, so no value of it can be cached. Return a concrete type, or name the subtypes with [MessagePack.Union(0, typeof(Circle))] on IShape, or remove [Memoize].")]
    [InlineData("ReturnsFigure", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsFigure(int)': its result type Figure is an abstract class with no [MessagePack.Union] subtypes, so no value of it can be cached. Return a concrete type, or name the subtypes with [MessagePack.Union(0, typeof(Dot))] on Figure, or remove [Memoize].")]
    [InlineData("ReturnsHandleAsync", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsHandleAsync(int)': its result type NativeHolder cannot be cached faithfully: NativeHolder.Handle is a native handle or pointer (IntPtr). Return data only, or remove [Memoize].")]
    [InlineData("ReturnsLazy", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsLazy(int)': its result type Lazy<Int32> is a lazy value, which cannot be cached faithfully. Return data only, or remove [Memoize].")]
    [InlineData("ReturnsBoxedStream", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.ReturnsBoxedStream(int)': its result type Box<MemoryStream> cannot be cached faithfully: Box<MemoryStream>.Value is a stream (MemoryStream). Return data only, or remove [Memoize].")]
    [InlineData("FilterParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.FilterParameter(AssemblyWithErrors.Filter)': parameter 'filter' cannot be part of a key: Filter.Predicate is a delegate (Func<Int32, Boolean>). Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("QueryParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.QueryParameter(AssemblyWithErrors.Query)': parameter 'query' cannot be part of a key: Query.Weights is Weights, which derives from Dictionary<String, Int32>, whose private state has no stable key. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    [InlineData("TypeParameter", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.TypeParameter(System.Type)': parameter 'type' cannot be part of a key: Type is a reflection object. Mark it [NotKey] if it does not change the result, or pass the values the result depends on.")]
    public void Unsupported_method_is_a_build_error_at_its_line(string method, string expected)
    {
        var error = Assert.Single(Woven.Value.Errors, e => e.Text.Contains($".{method}("));
        Assert.Equal(expected, error.Text);
        var expectedLine = Array.FindIndex(SourceLines, l => l.Contains($"// error: {method}")) + 1;
        Assert.NotNull(error.SequencePoint);
        Assert.Equal(expectedLine, error.SequencePoint!.StartLine);
        Assert.EndsWith("Unsupported.cs", error.SequencePoint.Document.Url);
    }

    /// <summary>Methods without a body have no sequence point: their error names the method but carries no line.</summary>
    [Theory]
    [InlineData("Extern", "AkCache: cannot memoize 'AssemblyWithErrors.Unsupported.Extern(int)': it has no body (abstract, extern or interface method). Memoize a static method with a body, or remove [Memoize].")]
    [InlineData("FromInterface", "AkCache: cannot memoize 'AssemblyWithErrors.IWithStatic.FromInterface(int)': it has no body (abstract, extern or interface method). Memoize a static method with a body, or remove [Memoize].")]
    public void Method_without_a_body_is_a_build_error(string method, string expected)
    {
        var error = Assert.Single(Woven.Value.Errors, e => e.Text.Contains($".{method}("));
        Assert.Equal(expected, error.Text);
    }

    /// <summary>Shapes whose values the runtime can store or key: the build must not refuse them.</summary>
    [Theory]
    [InlineData("ReturnsUnionShape")]
    [InlineData("ReturnsNode")]
    [InlineData("ReturnsTag")]
    [InlineData("ReturnsPricesAsJson")]
    [InlineData("WeightsParameter")]
    public void Storable_shape_is_not_a_build_error(string method)
    {
        Assert.DoesNotContain(Woven.Value.Errors, e => e.Text.Contains($".{method}("));
        Assert.NotNull(Woven.Value.Assembly.GetType("AssemblyWithErrors.Storable")!.GetMethod(method + "$Original", BindingFlags.NonPublic | BindingFlags.Static));
    }

    [Fact]
    public void Every_unsupported_method_is_reported_and_only_the_storable_ones_are_woven()
    {
        Assert.Equal(36 + 6 + 8, Woven.Value.Errors.Count);
        Assert.Contains(Woven.Value.Messages, m => m.Text == "AkCache: memoized 6 methods in AssemblyWithErrors");
    }

    /// <summary>
    /// The package gives AkCache.Attributes to the compiler only, so code that names its types would
    /// fail with FileNotFoundException at run time: the build says so, where the code is.
    /// </summary>
    [Theory]
    [InlineData("'AssemblyWithErrors.UsesAttributesAtRunTime.AttributeName()'", "MemoizeAttribute", "AttributeName")]
    [InlineData("'AssemblyWithErrors.UsesAttributesAtRunTime.Reflected(System.Reflection.MethodInfo)'", "MemoizeAttribute", "Reflected")]
    [InlineData("'AssemblyWithErrors.UsesAttributesAtRunTime.Remembered()'", "MemoizeAttribute", null)]
    [InlineData("'AssemblyWithErrors.UsesAttributesAtRunTime.Forget()'", "MemoizeAttribute", null)]
    [InlineData("'AssemblyWithErrors.UsesAttributesAtRunTime.s_lastSeen'", "MemoizeAttribute", null)]
    [InlineData("code in 'AssemblyWithErrors.UsesAttributesAtRunTime' (a lambda, local function, iterator or async method)", "NotKeyAttribute", null)]
    public void Code_that_uses_an_attribute_type_at_run_time_is_a_build_error(string where, string type, string? lineMarker)
    {
        var error = Assert.Single(Woven.Value.Errors, e => e.Text.StartsWith($"AkCache: {where} uses", StringComparison.Ordinal));
        Assert.Equal(
            $"AkCache: {where} uses {type} from AkCache.Attributes at run time. " +
            "The AkCache.Fody package gives AkCache.Attributes to the compiler only and does not copy it to the application, so this would throw FileNotFoundException when it runs. " +
            "Remove that use of the attribute type: the weaver removes the attributes themselves, so they cannot be read by reflection either.",
            error.Text);
        if (lineMarker is not null)
        {
            var expectedLine = Array.FindIndex(SourceLines, l => l.Contains($"// error: {lineMarker}")) + 1;
            Assert.Equal(expectedLine, error.SequencePoint!.StartLine);
        }
    }

    [Fact]
    public void The_attributes_reference_stays_while_anything_names_its_types()
    {
        // Removing it would leave those type references pointing at no assembly, or at the wrong one.
        Assert.Contains(Woven.Value.Assembly.GetReferencedAssemblies(), a => a.Name == "AkCache.Attributes");
    }

    /// <summary>
    /// AkCacheRuntime.Invalidate, ClearMethod and GetCacheInfo given a lambda or method group that
    /// can reach no memoized method: the build says so at the call, instead of an ArgumentException
    /// when it runs. Every such call is reported, two in one method included.
    /// </summary>
    [Theory]
    [InlineData("InvalidatesPrice", "AkCache: AkCacheRuntime.Invalidate targets 'AssemblyWithErrors.ManagementTargets.Price(int)', which is not memoized: only a call of a [Memoize] method can be invalidated. Add [Memoize] to it, or call Invalidate with a memoized method.")]
    [InlineData("ClearsLabel", "AkCache: AkCacheRuntime.ClearMethod targets 'AssemblyWithErrors.ManagementTargets.Label(string, int)', which is not memoized: only the entries of a [Memoize] method can be cleared. Add [Memoize] to it, or pass ClearMethod a call of a memoized method.")]
    [InlineData("InfoOfDoubled", "AkCache: AkCacheRuntime.GetCacheInfo targets 'AssemblyWithErrors.ManagementTargets.Doubled(int)', which is not memoized: only a [Memoize] method has cache information. Add [Memoize] to it, or pass GetCacheInfo a call of a memoized method.")]
    [InlineData("InvalidatesMethodGroup", "AkCache: AkCacheRuntime.Invalidate targets 'AssemblyWithErrors.ManagementTargets.Constant()', which is not memoized: only a call of a [Memoize] method can be invalidated. Add [Memoize] to it, or call Invalidate with a memoized method.")]
    [InlineData("InvalidatesCapturedArgument", "AkCache: AkCacheRuntime.Invalidate targets 'AssemblyWithErrors.ManagementTargets.Price(int)', which is not memoized: only a call of a [Memoize] method can be invalidated. Add [Memoize] to it, or call Invalidate with a memoized method.")]
    [InlineData("ClearsConstant", "AkCache: the lambda given to AkCacheRuntime.ClearMethod calls no memoized method: only the entries of a [Memoize] method can be cleared. Pass a call of a [Memoize] method, such as () => MarketData.History(\"600519\", 30).")]
    [InlineData("InvalidatesThenClears first", "AkCache: AkCacheRuntime.Invalidate targets 'AssemblyWithErrors.ManagementTargets.Price(int)', which is not memoized: only a call of a [Memoize] method can be invalidated. Add [Memoize] to it, or call Invalidate with a memoized method.")]
    [InlineData("InvalidatesThenClears second", "AkCache: AkCacheRuntime.ClearMethod targets 'AssemblyWithErrors.ManagementTargets.Price(int)', which is not memoized: only the entries of a [Memoize] method can be cleared. Add [Memoize] to it, or pass ClearMethod a call of a memoized method.")]
    public void Management_call_of_a_method_that_is_not_memoized_is_a_build_error_at_the_call(string marker, string expected)
    {
        var line = Array.FindIndex(ManagementLines, l => l.EndsWith($"// error: {marker}", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, $"no line marked '// error: {marker}'");
        var error = Assert.Single(ManagementErrors(), e => e.SequencePoint!.StartLine == line);
        Assert.Equal(expected, error.Text);
    }

    /// <summary>
    /// A lambda on a memoized method, with an argument computed by a helper, and one whose calls the
    /// weaver cannot follow into library code, are no errors: only the eight marked calls are.
    /// </summary>
    [Fact]
    public void Only_the_marked_management_calls_are_build_errors()
    {
        var marked = ManagementLines.Count(l => l.Contains("// error: "));
        Assert.Equal(8, marked);
        Assert.Equal(marked, ManagementErrors().Count());
        Assert.Equal(marked, ManagementErrors().Select(e => e.SequencePoint!.StartLine).Distinct().Count());
    }

    private static System.Collections.Generic.IEnumerable<SequencePointMessage> ManagementErrors() =>
        Woven.Value.Errors.Where(e => e.SequencePoint?.Document.Url.EndsWith("ManagementTargets.cs", StringComparison.Ordinal) == true);
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Data;
using System.Linq;
using AkCache;
using AkCache.Tests.Support;
using MessagePack;

namespace TestWorker;

/// <summary>
/// One memoized method per result type of docs/values.md, each returning a fixed value that
/// <see cref="Build"/> makes again without the cache. <c>TestWorker --results</c> calls each one and
/// prints, per method, <c>SAME name</c> or <c>DIFFERENT name: where</c>, then <c>COMPUTED name</c>
/// when its body ran in this process: a second process that computes nothing and prints only SAME
/// lines has read every value back from Redis equal in every respect.
/// </summary>
public static class Results
{
    private static readonly ConcurrentDictionary<string, int> Computed = new();

    public static int Run(bool twice)
    {
        foreach (var (name, call) in Catalog())
        {
            try
            {
                var value = call();
                if (twice)
                {
                    value = call();
                }

                var difference = DeepEquality.Difference(Build.Of(name), value);
                Program.Emit(difference is null ? $"SAME {name}" : $"DIFFERENT {name}: {difference}");
            }
            catch (Exception ex)
            {
                Program.Emit($"ERROR {name}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        foreach (var name in Computed.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            Program.Emit($"COMPUTED {name} {Computed[name]}");
        }

        return 0;
    }

    private static T Count<T>(string name)
    {
        Computed.AddOrUpdate(name, 1, (_, n) => n + 1);
        return (T)Build.Of(name)!;
    }

    private static IEnumerable<(string Name, Func<object?> Call)> Catalog() => new (string, Func<object?>)[]
    {
        ("PrivateSetters", () => PrivateSetters()),
        ("RecordPrivateSet", () => RecordPrivateSet()),
        ("InternalSet", () => InternalSet()),
        ("InitAndRequired", () => InitAndRequired()),
        ("ReadonlyStruct", () => ReadonlyStruct()),
        ("InfoDictionary", () => InfoDictionary()),
        ("ObjectList", () => ObjectList()),
        ("SubclassInList", () => SubclassInList()),
        ("SubclassMember", () => SubclassMember()),
        ("UnionList", () => UnionList()),
        ("IgnoreCaseDictionary", () => IgnoreCaseDictionary()),
        ("IgnoreCaseSet", () => IgnoreCaseSet()),
        ("CustomComparer", () => CustomComparer()),
        ("ObjectHoldingUserType", () => ObjectHoldingUserType()),
        ("Table", () => Table()),
        ("TableSet", () => TableSet()),
        ("ObjectColumnTable", () => ObjectColumnTable()),
        ("TableAsync", () => TableAsync().GetAwaiter().GetResult()),
        ("Decimals", () => Decimals()),
        ("Times", () => Times()),
        ("Offsets", () => Offsets()),
        ("Doubles", () => Doubles()),
        ("Tuple", () => Tuple()),
        ("NestedGenerics", () => NestedGenerics()),
        ("ImmutableList", () => ImmutableListResult()),
        ("ImmutableDictionary", () => ImmutableDictionaryResult()),
        ("ImmutableArray", () => ImmutableArrayResult()),
        ("ImmutableSortedSet", () => ImmutableSortedSetResult()),
        ("ImmutableStack", () => ImmutableStackResult()),
        ("SortedDictionary", () => SortedDictionaryResult()),
        ("SortedSet", () => SortedSetResult()),
        ("SortedList", () => SortedListResult()),
        ("LinkedList", () => LinkedListResult()),
        ("Queue", () => QueueResult()),
        ("Stack", () => StackResult()),
        ("ReadOnlyCollection", () => ReadOnlyCollectionResult()),
        ("InterfaceMembers", () => InterfaceMembers()),
        ("DictionaryAfterRemoval", () => DictionaryAfterRemoval()),
        ("Matrix", () => Matrix()),
        ("NullableStruct", () => NullableStruct()),
        ("Guids", () => Guids()),
        ("Enums", () => Enums()),
        ("Bytes", () => Bytes()),
        ("NullResult", () => NullResult()),
        ("KeyValue", () => KeyValue()),
        ("ValueTask", () => ValueTaskResult().AsTask().GetAwaiter().GetResult()),
        ("Nested", () => Nested()),
        ("Frame", () => Frame()),
    };

    [Memoize] public static Order PrivateSetters() => Count<Order>(nameof(PrivateSetters));

    [Memoize] public static Sector RecordPrivateSet() => Count<Sector>(nameof(RecordPrivateSet));

    [Memoize] public static Counter InternalSet() => Count<Counter>(nameof(InternalSet));

    [Memoize] public static Listing InitAndRequired() => Count<Listing>(nameof(InitAndRequired));

    [Memoize] public static Span2 ReadonlyStruct() => Count<Span2>(nameof(ReadonlyStruct));

    [Memoize] public static Dictionary<string, object?> InfoDictionary() => Count<Dictionary<string, object?>>(nameof(InfoDictionary));

    [Memoize] public static List<object?> ObjectList() => Count<List<object?>>(nameof(ObjectList));

    [Memoize] public static List<Security> SubclassInList() => Count<List<Security>>(nameof(SubclassInList));

    [Memoize] public static Holding SubclassMember() => Count<Holding>(nameof(SubclassMember));

    [Memoize] public static List<Instrument> UnionList() => Count<List<Instrument>>(nameof(UnionList));

    [Memoize] public static Dictionary<string, decimal> IgnoreCaseDictionary() => Count<Dictionary<string, decimal>>(nameof(IgnoreCaseDictionary));

    [Memoize] public static HashSet<string> IgnoreCaseSet() => Count<HashSet<string>>(nameof(IgnoreCaseSet));

    [Memoize] public static Dictionary<string, int> CustomComparer() => Count<Dictionary<string, int>>(nameof(CustomComparer));

    [Memoize] public static Dictionary<string, object> ObjectHoldingUserType() => Count<Dictionary<string, object>>(nameof(ObjectHoldingUserType));

    [Memoize] public static DataTable Table() => Count<DataTable>(nameof(Table));

    [Memoize] public static DataSet TableSet() => Count<DataSet>(nameof(TableSet));

    [Memoize] public static DataTable ObjectColumnTable() => Count<DataTable>(nameof(ObjectColumnTable));

    [Memoize] public static async System.Threading.Tasks.Task<DataTable> TableAsync()
    {
        await System.Threading.Tasks.Task.Yield();
        return Count<DataTable>(nameof(TableAsync));
    }

    [Memoize] public static decimal[] Decimals() => Count<decimal[]>(nameof(Decimals));

    [Memoize] public static DateTime[] Times() => Count<DateTime[]>(nameof(Times));

    [Memoize] public static DateTimeOffset[] Offsets() => Count<DateTimeOffset[]>(nameof(Offsets));

    [Memoize] public static double[] Doubles() => Count<double[]>(nameof(Doubles));

    [Memoize] public static (int, string, decimal, DateTime) Tuple() => Count<(int, string, decimal, DateTime)>(nameof(Tuple));

    [Memoize] public static Dictionary<string, List<(int, decimal[])>> NestedGenerics() => Count<Dictionary<string, List<(int, decimal[])>>>(nameof(NestedGenerics));

    [Memoize] public static ImmutableList<string> ImmutableListResult() => Count<ImmutableList<string>>("ImmutableList");

    [Memoize] public static ImmutableDictionary<string, int> ImmutableDictionaryResult() => Count<ImmutableDictionary<string, int>>("ImmutableDictionary");

    [Memoize] public static ImmutableArray<int> ImmutableArrayResult() => Count<ImmutableArray<int>>("ImmutableArray");

    [Memoize] public static ImmutableSortedSet<string> ImmutableSortedSetResult() => Count<ImmutableSortedSet<string>>("ImmutableSortedSet");

    [Memoize] public static ImmutableStack<int> ImmutableStackResult() => Count<ImmutableStack<int>>("ImmutableStack");

    [Memoize] public static SortedDictionary<string, int> SortedDictionaryResult() => Count<SortedDictionary<string, int>>("SortedDictionary");

    [Memoize] public static SortedSet<int> SortedSetResult() => Count<SortedSet<int>>("SortedSet");

    [Memoize] public static SortedList<string, decimal> SortedListResult() => Count<SortedList<string, decimal>>("SortedList");

    [Memoize] public static LinkedList<string> LinkedListResult() => Count<LinkedList<string>>("LinkedList");

    [Memoize] public static Queue<int> QueueResult() => Count<Queue<int>>("Queue");

    [Memoize] public static Stack<string> StackResult() => Count<Stack<string>>("Stack");

    [Memoize] public static ReadOnlyCollection<int> ReadOnlyCollectionResult() => Count<ReadOnlyCollection<int>>("ReadOnlyCollection");

    [Memoize] public static Catalogue InterfaceMembers() => Count<Catalogue>(nameof(InterfaceMembers));

    [Memoize] public static Dictionary<int, string> DictionaryAfterRemoval() => Count<Dictionary<int, string>>(nameof(DictionaryAfterRemoval));

    [Memoize] public static int[,] Matrix() => Count<int[,]>(nameof(Matrix));

    [Memoize] public static Span2? NullableStruct() => Count<Span2?>(nameof(NullableStruct));

    [Memoize] public static Guid[] Guids() => Count<Guid[]>(nameof(Guids));

    [Memoize] public static DayOfWeek[] Enums() => Count<DayOfWeek[]>(nameof(Enums));

    [Memoize] public static byte[] Bytes() => Count<byte[]>(nameof(Bytes));

    [Memoize] public static Order? NullResult() => Count<Order?>(nameof(NullResult));

    [Memoize] public static KeyValuePair<string, decimal> KeyValue() => Count<KeyValuePair<string, decimal>>(nameof(KeyValue));

    [Memoize] public static System.Threading.Tasks.ValueTask<Listing> ValueTaskResult() => new(Count<Listing>("ValueTask"));

    [Memoize] public static Portfolio Nested() => Count<Portfolio>(nameof(Nested));

    [Memoize] public static Microsoft.Data.Analysis.DataFrame Frame() => Count<Microsoft.Data.Analysis.DataFrame>(nameof(Frame));
}

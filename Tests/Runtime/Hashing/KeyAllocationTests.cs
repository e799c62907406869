using System;
using AkCache.CompilerServices;
using Xunit;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>A key is built on every call, hit or miss: once warm, building one allocates nothing.</summary>
public sealed class KeyAllocationTests : OfflineKeyTest
{
    private static readonly MemoizedMethod Method = MemoizedMethod.Create("Test.Allocation" + Guid.NewGuid(), "", 0);

    [Fact]
    public void Keys_of_primitives_guids_strings_and_arrays_allocate_nothing()
    {
        var text = new string('x', 1_000);
        var ints = new int[1_000];
        var doubles = new double[100];
        var strings = new[] { "a", null, "b" };
        var id = new Guid("00112233-4455-6677-8899-aabbccddeeff");

        var allocated = AllocatedBy(() =>
        {
            var builder = Method.BeginKey();
            builder.Add(42);
            builder.Add(-1L);
            builder.Add(true);
            builder.Add(2.5);
            builder.Add('c');
            builder.Add(text);
            builder.Add(ints);
            builder.Add(doubles);
            builder.Add(strings);
            builder.Add<int?>(3);
            builder.Add(DayOfWeek.Monday);
            builder.Add(id);
            return builder.Complete();
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_key_of_a_plain_object_allocates_nothing()
    {
        var order = new CanonicalFormTests.Order { Id = 42, Symbol = "600000.SH", Quantity = 300, Price = 10.25m, Day = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) };

        var allocated = AllocatedBy(() =>
        {
            var builder = Method.BeginKey();
            builder.Add(order);
            return builder.Complete();
        });

        Assert.Equal(0, allocated);
    }

    private static long AllocatedBy(Func<MemoKey> build)
    {
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(build().IsValid);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            build();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AkCache.Internals.Messaging.Tracking;
using Xunit;

namespace AkCache.Tests.Runtime.Messaging;

public sealed class TrackingResp3ReaderTests
{
    // Every RESP3 type, attributes at the top and inside an aggregate, RESP2's nulls, UTF-8, and the
    // invalidate pushes Redis sends: keys, and the null of a flush in both spellings.
    private static readonly (string Wire, string Parsed)[] Frames =
    [
        ("+OK\r\n", "SimpleString(OK)"),
        ("-ERR bad thing\r\n", "Error(ERR bad thing)"),
        (":-42\r\n", "Integer(-42)"),
        (":9223372036854775807\r\n", "Integer(9223372036854775807)"),
        ("$4\r\nhé!\r\n", "BulkString(hé!)"),
        ("$0\r\n\r\n", "BulkString()"),
        ("$-1\r\n", "Null"),
        ("$5\r\na\r\nb!\r\n", "BulkString(a\r\nb!)"),
        ("*2\r\n:1\r\n$1\r\na\r\n", "Array[Integer(1),BulkString(a)]"),
        ("*-1\r\n", "Null"),
        ("*0\r\n", "Array[]"),
        ("_\r\n", "Null"),
        (",3.25\r\n", "Double(3.25)"),
        (",-inf\r\n", "Double(-inf)"),
        ("#t\r\n", "Boolean(1)"),
        ("#f\r\n", "Boolean(0)"),
        ("!9\r\nERR oops!\r\n", "BlobError(ERR oops!)"),
        ("=8\r\ntxt:abcd\r\n", "Verbatim(abcd)"),
        ("(12345678901234567890123\r\n", "BigNumber(12345678901234567890123)"),
        ("%2\r\n+a\r\n:1\r\n+b\r\n_\r\n", "Map[SimpleString(a),Integer(1),SimpleString(b),Null]"),
        ("~2\r\n+x\r\n+y\r\n", "Set[SimpleString(x),SimpleString(y)]"),
        ("|1\r\n+ttl\r\n:3600\r\n+after-attribute\r\n", "SimpleString(after-attribute)"),
        ("|0\r\n|1\r\n+a\r\n*1\r\n:1\r\n:5\r\n", "Integer(5)"),
        ("*2\r\n|1\r\n+key\r\n+value\r\n:7\r\n:8\r\n", "Array[Integer(7),Integer(8)]"),
        ("*1\r\n*1\r\n~1\r\n:9\r\n", "Array[Array[Set[Integer(9)]]]"),
        (">2\r\n$10\r\ninvalidate\r\n*2\r\n$4\r\nak:a\r\n$5\r\nak:é\r\n", "Push[BulkString(invalidate),Array[BulkString(ak:a),BulkString(ak:é)]]"),
        (">2\r\n$10\r\ninvalidate\r\n_\r\n", "Push[BulkString(invalidate),Null]"),
        (">2\r\n$10\r\ninvalidate\r\n*-1\r\n", "Push[BulkString(invalidate),Null]"),
        (">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", "Push[BulkString(message),BulkString(ch),BulkString(hi)]"),
    ];

    // Each breaks framing: nothing after it can be read.
    public static TheoryData<string> BrokenStreams() => new()
    {
        "?what\r\n",
        "$3\r\nabcXY",
        ":12a\r\n",
        ":\r\n",
        ":99999999999999999999\r\n",
        "*-2\r\n",
        "$-2\r\n",
        "%-1\r\n",
        "#x\r\n",
        "_x\r\n",
        "+ok\nmore",
        "+o\rk\r\n",
        "$?\r\n;4\r\nabcd\r\n;0\r\n",
        "=3\r\ntxt\r\n",
        ",1\u00072\r\n",
        "+" + new string('a', Resp3Reader.MaxLineLength + 1),
        "$" + (Resp3Reader.MaxBulkLength + 1) + "\r\n",
        string.Concat(Enumerable.Repeat("*1\r\n", Resp3Reader.MaxDepth + 2)) + ":1\r\n",
    };

    [Fact]
    public void EveryTypeIsReadWhateverTheSplit()
    {
        var wire = Encoding.UTF8.GetBytes(string.Concat(Frames.Select(f => f.Wire)));
        var expected = Frames.Select(f => f.Parsed).ToList();
        for (var split = 0; split <= wire.Length; split++)
        {
            var reader = new Resp3Reader();
            var parsed = new List<string>();
            Feed(reader, wire.AsSpan(0, split), parsed);
            Feed(reader, wire.AsSpan(split), parsed);
            Assert.True(expected.SequenceEqual(parsed), $"Split at {split}: {string.Join(" ", parsed)}");
            Assert.Equal(0, reader.Buffered);
        }
    }

    [Fact]
    public void EveryTypeIsReadFedOneByteAtATime()
    {
        var wire = Encoding.UTF8.GetBytes(string.Concat(Frames.Select(f => f.Wire)));
        var reader = new Resp3Reader();
        var parsed = new List<string>();
        foreach (var b in wire)
        {
            Feed(reader, new[] { b }, parsed);
        }

        Assert.Equal(Frames.Select(f => f.Parsed), parsed);
    }

    [Fact]
    public void ADoubleAndABooleanHaveTheirValues()
    {
        var reader = new Resp3Reader();
        reader.Append(Encoding.ASCII.GetBytes(",-2.5e3\r\n,inf\r\n"));
        Assert.Equal(-2500d, reader.TryRead()!.ToDouble());
        Assert.Equal(double.PositiveInfinity, reader.TryRead()!.ToDouble());
        Assert.Null(reader.TryRead());
    }

    [Theory]
    [MemberData(nameof(BrokenStreams))]
    public void BrokenFramingThrowsAfterTheFramesBeforeItWhateverTheSplit(string garbage)
    {
        var wire = Encoding.UTF8.GetBytes("+before\r\n" + garbage);
        for (var split = 0; split <= wire.Length; split += Math.Max(1, wire.Length / 200))
        {
            var reader = new Resp3Reader();
            var parsed = new List<string>();
            var error = Record.Exception(() =>
            {
                Feed(reader, wire.AsSpan(0, split), parsed);
                Feed(reader, wire.AsSpan(split), parsed);
            });
            Assert.IsType<Resp3ProtocolException>(error);
            Assert.Equal(new[] { "SimpleString(before)" }, parsed);

            // Once broken, always broken: later bytes cannot put framing back.
            reader.Append(Encoding.ASCII.GetBytes("+fine\r\n"));
            Assert.Throws<Resp3ProtocolException>(() => reader.TryRead());
        }
    }

    [Fact]
    public void AnIncompleteFrameWaitsForItsBytes()
    {
        var reader = new Resp3Reader();
        reader.Append(Encoding.ASCII.GetBytes(">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nak:"));
        Assert.Null(reader.TryRead());
        Assert.Null(reader.TryRead());
        reader.Append(Encoding.ASCII.GetBytes("a\r"));
        Assert.Null(reader.TryRead());
        reader.Append(Encoding.ASCII.GetBytes("\n"));
        Assert.Equal("Push[BulkString(invalidate),Array[BulkString(ak:a)]]", Describe(reader.TryRead()!));
    }

    [Fact]
    public void AFrameLargerThanTheBufferIsRead()
    {
        var key = new string('k', 100_000);
        var reader = new Resp3Reader();
        var wire = Encoding.ASCII.GetBytes($"*1\r\n${key.Length}\r\n{key}\r\n");
        for (var offset = 0; offset < wire.Length; offset += 1000)
        {
            reader.Append(wire.AsSpan(offset, Math.Min(1000, wire.Length - offset)));
        }

        Assert.Equal(key, reader.TryRead()!.Items.Single().Text);
    }

    [Fact]
    public void ACommandIsAnArrayOfBulkStrings()
    {
        var bytes = Resp3Writer.Command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ké:");
        Assert.Equal("*6\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\nON\r\n$5\r\nBCAST\r\n$6\r\nPREFIX\r\n$4\r\nké:\r\n", Encoding.UTF8.GetString(bytes));
    }

    private static void Feed(Resp3Reader reader, ReadOnlySpan<byte> bytes, List<string> parsed)
    {
        reader.Append(bytes);
        while (reader.TryRead() is { } value)
        {
            parsed.Add(Describe(value));
        }
    }

    private static string Describe(Resp3Value value) => value.Kind switch
    {
        Resp3Kind.Null => "Null",
        Resp3Kind.Integer or Resp3Kind.Boolean => $"{value.Kind}({value.Integer})",
        _ when value.IsAggregate => $"{value.Kind}[{string.Join(",", value.Items.Select(Describe))}]",
        _ => $"{value.Kind}({value.Text})",
    };
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Internals.Messaging;

/// <summary>
/// The callers of this process that wait for another process to store a value, and what wakes
/// them: the owner's store script publishes the value's key on the stored channel, followed, when
/// someone waits and the value is small enough, by a newline and the value itself (keys hold no
/// newline). The wire format is written by Scripts/store-and-release.lua and read only here.
/// </summary>
internal sealed class StoredAnnouncements
{
    /// <summary>The largest value an announcement carries; a longer one is announced by key, and waiters read it.</summary>
    internal const int MaxAnnouncedValueBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<byte[]?>>> _waiters = new(StringComparer.Ordinal);

    /// <summary>Registers interest in <paramref name="valueKey"/> being stored; dispose the result to stop listening.</summary>
    public StoredSignal Listen(string valueKey)
    {
        var signal = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.AddOrUpdate(
            valueKey,
            _ => new List<TaskCompletionSource<byte[]?>> { signal },
            (_, list) =>
            {
                lock (list)
                {
                    list.Add(signal);
                }

                return list;
            });
        return new StoredSignal(this, valueKey, signal);
    }

    /// <summary>Wakes the waiters of the announced key, handing them the value when the announcement carries it.</summary>
    public void OnAnnouncement(ReadOnlyMemory<byte> message)
    {
        // Every announcement reaches every process, this one's own included: most find nobody waiting.
        if (_waiters.IsEmpty)
        {
            return;
        }

        // The value (up to 64 KB) is copied only for a key this process waits for.
        if (_waiters.TryGetValue(AnnouncedKey(message, out var valueStart), out var list))
        {
            var value = AnnouncedValue(message, valueStart);
            lock (list)
            {
                foreach (var signal in list)
                {
                    signal.TrySetResult(value);
                }
            }
        }
    }

    public void Clear() => _waiters.Clear();

    /// <summary>
    /// The key of an announcement: a value's key, optionally followed by a newline and the stored
    /// value. <paramref name="valueStart"/> is where the value begins, or -1.
    /// </summary>
    internal static string AnnouncedKey(ReadOnlyMemory<byte> message, out int valueStart)
    {
        var newline = message.Span.IndexOf((byte)'\n');
        valueStart = newline < 0 ? -1 : newline + 1;
        return Encoding.UTF8.GetString(message.Span.Slice(0, newline < 0 ? message.Length : newline).ToArray());
    }

    /// <summary>The value an announcement carries, copied; null when it carries none.</summary>
    internal static byte[]? AnnouncedValue(ReadOnlyMemory<byte> message, int valueStart) =>
        valueStart < 0 ? null : message.Span.Slice(valueStart).ToArray();

    private void Forget(string valueKey, TaskCompletionSource<byte[]?> signal)
    {
        if (_waiters.TryGetValue(valueKey, out var list))
        {
            lock (list)
            {
                list.Remove(signal);
                if (list.Count == 0)
                {
                    ((ICollection<KeyValuePair<string, List<TaskCompletionSource<byte[]?>>>>)_waiters).Remove(new KeyValuePair<string, List<TaskCompletionSource<byte[]?>>>(valueKey, list));
                }
            }
        }
    }

    /// <summary>A registration for one stored value; waits return early when the value's owner announces it.</summary>
    internal readonly struct StoredSignal : IDisposable
    {
        private readonly StoredAnnouncements _announcements;
        private readonly string _valueKey;
        private readonly TaskCompletionSource<byte[]?> _signal;

        public StoredSignal(StoredAnnouncements announcements, string valueKey, TaskCompletionSource<byte[]?> signal)
        {
            _announcements = announcements;
            _valueKey = valueKey;
            _signal = signal;
        }

        /// <summary>
        /// Waits for the announcement, at most <paramref name="timeout"/>; cancelling stops the wait.
        /// Returns the announced value when the announcement carried it, else null (announced by key
        /// only, or not announced within the timeout): the caller then looks in Redis.
        /// </summary>
        public byte[]? Wait(TimeSpan timeout, CancellationToken cancellationToken) =>
            _signal.Task.Wait((int)Math.Ceiling(timeout.TotalMilliseconds), cancellationToken) ? _signal.Task.Result : null;

        /// <summary>The asynchronous form of <see cref="Wait"/>.</summary>
        public async Task<byte[]?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var delay = Task.Delay(timeout, cancellationToken);
            await Task.WhenAny(_signal.Task, delay).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return _signal.Task.IsCompleted ? _signal.Task.Result : null;
        }

        /// <summary><see cref="Wait"/> or <see cref="WaitAsync(TimeSpan, CancellationToken)"/>: the engine's one call for both forms.</summary>
        public ValueTask<byte[]?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken, bool synchronous) =>
            synchronous ? new ValueTask<byte[]?>(Wait(timeout, cancellationToken)) : new ValueTask<byte[]?>(WaitAsync(timeout, cancellationToken));

        public void Dispose() => _announcements.Forget(_valueKey, _signal);
    }
}

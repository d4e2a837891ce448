using System.Buffers.Binary;
using System.Text;
using SocketDaemon.Logging;

namespace SocketDaemon.Tests.Client.Logging;

public sealed class EntryBufferTests
{
    [Fact]
    public async Task Drop_oldest_keeps_the_newest_entries_in_order_and_counts_the_rest()
    {
        var entries = new EntryBuffer(limit: 3, dropOldest: true);
        for (var i = 0; i < 10; i++)
        {
            entries.Write(Framed($"entry {i}"));
        }

        Assert.Equal(["entry 7", "entry 8", "entry 9"], await ReadAllAsync(entries));
        Assert.Equal(7, entries.Dropped);
    }

    [Fact]
    public async Task Drop_newest_keeps_the_first_entries_and_counts_the_rest()
    {
        var entries = new EntryBuffer(limit: 3, dropOldest: false);
        for (var i = 0; i < 10; i++)
        {
            entries.Write(Framed($"entry {i}"));
        }

        Assert.Equal(["entry 0", "entry 1", "entry 2"], await ReadAllAsync(entries));
        Assert.Equal(7, entries.Dropped);
    }

    [Fact]
    public async Task Entries_larger_than_a_chunk_and_many_chunks_come_out_whole_and_in_order()
    {
        var entries = new EntryBuffer(limit: 100_000, dropOldest: true);
        var expected = new List<string>();
        for (var i = 0; i < 5_000; i++)
        {
            var text = i % 1000 == 7 ? new string('x', EntryBuffer.ChunkBytes + i) : $"entry {i} " + new string('y', i % 300);
            expected.Add(text);
            entries.Write(Framed(text));
        }

        Assert.Equal(expected, await ReadAllAsync(entries));
        Assert.Equal(0, entries.Dropped);
    }

    [Fact]
    public async Task What_a_reader_took_but_did_not_hand_out_is_read_first_by_the_next_reader()
    {
        var entries = new EntryBuffer(limit: 100, dropOldest: true);
        for (var i = 0; i < 5; i++)
        {
            entries.Write(Framed($"entry {i}"));
        }

        var reader = new EntryReader(entries);
        await using (var first = reader.GetAsyncEnumerator())
        {
            Assert.True(await first.MoveNextAsync());
            Assert.True(await first.MoveNextAsync());
            Assert.Equal("entry 1", Encoding.UTF8.GetString(first.Current.Span));
        }

        entries.Write(Framed("entry 5"));
        Assert.Equal(["entry 2", "entry 3", "entry 4", "entry 5"], await ReadAllAsync(entries));
    }

    [Fact]
    public async Task A_waiting_reader_gets_an_entry_written_later_and_ends_when_the_buffer_completes()
    {
        var entries = new EntryBuffer(limit: 10, dropOldest: true);
        await using var reader = new EntryReader(entries).GetAsyncEnumerator();
        var next = reader.MoveNextAsync();
        Assert.False(next.IsCompleted);

        entries.Write(Framed("late"));
        Assert.True(await next.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("late", Encoding.UTF8.GetString(reader.Current.Span));

        var end = reader.MoveNextAsync();
        entries.Complete();
        entries.Write(Framed("after the end"));
        Assert.False(await end.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, entries.Dropped);
    }

    private static byte[] Framed(string text)
    {
        var bytes = new byte[sizeof(int) + Encoding.UTF8.GetByteCount(text)];
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - sizeof(int));
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(sizeof(int)));
        return bytes;
    }

    private static async Task<List<string>> ReadAllAsync(EntryBuffer entries)
    {
        entries.Complete();
        var texts = new List<string>();
        await foreach (var entry in new EntryReader(entries))
        {
            texts.Add(Encoding.UTF8.GetString(entry.Span));
        }

        return texts;
    }
}

/** Requests per day for the last 30 days, as bars; the numbers are in a table for screen readers. */
export function UsageChart({ days }: { days: { day: string; requests: number }[] }) {
  const max = Math.max(1, ...days.map((d) => d.requests));
  const total = days.reduce((sum, d) => sum + d.requests, 0);
  const width = 600;
  const height = 80;
  const bar = width / days.length;
  return (
    <section aria-labelledby="usage-heading" className="space-y-2">
      <h3 id="usage-heading" className="text-base font-semibold">
        Requests, last 30 days
      </h3>
      <p className="text-sm text-slate-600">
        {total.toLocaleString("en-US")} requests with this account&apos;s keys (counted once a minute, with
        last use).
      </p>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-20 w-full max-w-2xl rounded bg-white ring-1 ring-slate-200"
        role="img"
        aria-label={`Requests per day over the last 30 days, ${total} in all; the table below has each day.`}
      >
        {days.map((d, i) => {
          const h = Math.round((d.requests / max) * (height - 6));
          return (
            <rect
              key={d.day}
              x={i * bar + 1}
              y={height - h}
              width={bar - 2}
              height={h}
              className="fill-indigo-500"
            >
              <title>{`${d.day}: ${d.requests} requests`}</title>
            </rect>
          );
        })}
      </svg>
      <details className="text-sm">
        <summary className="cursor-pointer text-indigo-700">Requests per day</summary>
        <table className="mt-2 text-xs">
          <caption className="sr-only">Requests per day</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-4 text-left">
                Day (UTC)
              </th>
              <th scope="col" className="text-right">
                Requests
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td className="pr-4">{d.day}</td>
                <td className="text-right">{d.requests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

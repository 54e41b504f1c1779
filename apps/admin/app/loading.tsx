import { TableSkeleton } from '@/components/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-header">
        <div>
          <span className="skeleton" style={{ width: 220, height: 26 }} />
        </div>
      </div>
      <div className="card">
        <TableSkeleton />
      </div>
    </>
  );
}

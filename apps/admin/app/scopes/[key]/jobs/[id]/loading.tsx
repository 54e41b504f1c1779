import { DetailsSkeleton } from '@/components/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-header">
        <span className="skeleton" style={{ width: 280, height: 26 }} />
      </div>
      <DetailsSkeleton />
    </>
  );
}

import { Home } from './Home';

export const metadata = { title: 'Home' };

export default function HomePage() {
  return <Home />;
}
